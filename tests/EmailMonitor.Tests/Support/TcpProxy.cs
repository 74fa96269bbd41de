using System.Net;
using System.Net.Sockets;

namespace EmailMonitor.Tests.Support;

/// <summary>
/// A loopback TCP relay that can go silent on its open connections while staying connected:
/// the half-open link a dead NAT or a pulled cable leaves behind. New connections work normally.
/// It can also rewrite what the server sends, to make a real server look like a lesser one.
/// </summary>
internal sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Link> _links = [];
    private readonly Task _accepting;
    private readonly Func<byte[], byte[]>? _rewriteServer;
    private readonly Func<byte[], byte[]>? _rewriteClient;

    /// <param name="targetPort">The server's port on loopback.</param>
    /// <param name="rewriteServer">Rewrites each chunk the server sends (on loopback a short response arrives in one chunk).</param>
    /// <param name="rewriteClient">Rewrites each chunk the client sends.</param>
    public TcpProxy(int targetPort, Func<byte[], byte[]>? rewriteServer = null, Func<byte[], byte[]>? rewriteClient = null)
    {
        _targetPort = targetPort;
        _rewriteServer = rewriteServer;
        _rewriteClient = rewriteClient;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int ConnectionCount
    {
        get
        {
            lock (_links)
            {
                return _links.Count;
            }
        }
    }

    /// <summary>Stops relaying on every open connection without closing it.</summary>
    public void SilenceOpenConnections()
    {
        lock (_links)
        {
            foreach (var link in _links)
            {
                link.Silence();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_links)
        {
            foreach (var link in _links)
            {
                link.Dispose();
            }
        }

        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var server = new TcpClient();
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            var link = new Link(client, server, _rewriteServer, _rewriteClient);
            lock (_links)
            {
                _links.Add(link);
            }
        }
    }

    private sealed class Link : IDisposable
    {
        private readonly TcpClient _client;
        private readonly TcpClient _server;
        private readonly CancellationTokenSource _silence = new();

        public Link(TcpClient client, TcpClient server, Func<byte[], byte[]>? rewriteServer, Func<byte[], byte[]>? rewriteClient)
        {
            _client = client;
            _server = server;
            _ = PumpAsync(client.GetStream(), server.GetStream(), rewriteClient);
            _ = PumpAsync(server.GetStream(), client.GetStream(), rewriteServer);
        }

        public void Silence() => _silence.Cancel();

        public void Dispose()
        {
            _silence.Cancel();
            _client.Dispose();
            _server.Dispose();
        }

        private async Task PumpAsync(NetworkStream from, NetworkStream to, Func<byte[], byte[]>? rewrite)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    var read = await from.ReadAsync(buffer, _silence.Token);
                    if (read == 0)
                    {
                        Dispose();
                        return;
                    }

                    var chunk = rewrite is null ? buffer.AsMemory(0, read) : rewrite(buffer[..read]);
                    await to.WriteAsync(chunk, _silence.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // Silenced or closed: stop relaying, leave the sockets as they are.
            }
        }
    }
}
