using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace EmailMonitor.Tests.Support;

/// <summary>
/// A WebSocket client written on a bare socket, for what <see cref="System.Net.WebSockets.ClientWebSocket"/>
/// will not do: see control frames, and choose whether to answer pings.
/// </summary>
internal sealed class RawWebSocket : IDisposable
{
    public const byte Ping = 0x9;
    public const byte Pong = 0xA;

    private readonly NetworkStream _stream;

    private RawWebSocket(Socket socket)
    {
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<RawWebSocket> ConnectAsync(ServiceHost service, string localAddress)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
        await socket.ConnectAsync(IPAddress.Loopback, service.BaseUri.Port);
        var client = new RawWebSocket(socket);

        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET /ws HTTP/1.1\r\nHost: {service.BaseUri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                      $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await client._stream.WriteAsync(Encoding.ASCII.GetBytes(request));

        var head = await client.ReadHeadAsync();
        if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            client.Dispose();
            throw new InvalidOperationException("The handshake was refused: " + head);
        }

        return client;
    }

    /// <summary>The next frame's opcode and payload, or null when the server closed or dropped the connection.</summary>
    public async Task<(byte Opcode, byte[] Payload)?> ReadFrameAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            var header = new byte[2];
            if (!await ReadExactlyOrEndAsync(header, cancel.Token))
            {
                return null;
            }

            long length = header[1] & 0x7F;
            if (length >= 126)
            {
                var extended = new byte[length == 126 ? 2 : 8];
                await _stream.ReadExactlyAsync(extended, cancel.Token);
                length = extended.Aggregate(0L, (total, b) => (total << 8) | b);
            }

            var payload = new byte[length];
            await _stream.ReadExactlyAsync(payload, cancel.Token);
            return ((byte)(header[0] & 0x0F), payload);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Sends one masked frame, as RFC 6455 requires of a client.</summary>
    public async Task SendFrameAsync(byte opcode, byte[] payload)
    {
        if (payload.Length > 125)
        {
            throw new ArgumentOutOfRangeException(nameof(payload), "Only short frames are needed here.");
        }

        var mask = RandomNumberGenerator.GetBytes(4);
        var frame = new byte[2 + 4 + payload.Length];
        frame[0] = (byte)(0x80 | opcode);
        frame[1] = (byte)(0x80 | payload.Length);
        mask.CopyTo(frame, 2);
        for (var i = 0; i < payload.Length; i++)
        {
            frame[6 + i] = (byte)(payload[i] ^ mask[i % 4]);
        }

        await _stream.WriteAsync(frame);
    }

    public void Dispose() => _stream.Dispose();

    private async Task<string> ReadHeadAsync()
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await _stream.ReadAsync(one) == 0)
            {
                break;
            }

            head.Append((char)one[0]);
        }

        return head.ToString();
    }

    private async Task<bool> ReadExactlyOrEndAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }
}
