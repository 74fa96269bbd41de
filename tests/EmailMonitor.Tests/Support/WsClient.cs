using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace EmailMonitor.Tests.Support;

/// <summary>
/// A WebSocket client for tests: a background loop reads every frame into a queue, so a test
/// awaits the next frame (or the close) with a deadline instead of sleeping.
/// </summary>
internal sealed class WsClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private readonly ClientWebSocket _socket;
    private readonly Channel<JsonElement> _frames = Channel.CreateUnbounded<JsonElement>();
    private readonly TaskCompletionSource<WebSocketCloseStatus?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reader;

    private WsClient(ClientWebSocket socket, bool read)
    {
        _socket = socket;
        _reader = read ? ReadLoopAsync() : Task.CompletedTask;
    }

    public WebSocketState State => _socket.State;

    public string? CloseDescription => _socket.CloseStatusDescription;

    public static async Task<WsClient> ConnectAsync(
        Uri uri, bool read = true, Action<ClientWebSocketOptions>? configure = null, HttpMessageInvoker? invoker = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        configure?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        try
        {
            await socket.ConnectAsync(uri, invoker, timeout.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new WsClient(socket, read);
    }

    /// <summary>The HTTP status the server answered a refused handshake with.</summary>
    public static async Task<System.Net.HttpStatusCode> RefusedHandshakeAsync(
        Uri uri, HttpMessageInvoker? invoker = null, Action<ClientWebSocketOptions>? configure = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        configure?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, invoker, timeout.Token));
        return socket.HttpStatusCode;
    }

    public Task SendAsync(object message) => SendTextAsync(JsonSerializer.Serialize(message));

    public async Task SendTextAsync(string text)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>Sends one text message as several frames of at most <paramref name="fragmentBytes"/> each.</summary>
    public async Task SendFragmentedAsync(string text, int fragmentBytes)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var offset = 0; offset < bytes.Length; offset += fragmentBytes)
        {
            var length = Math.Min(fragmentBytes, bytes.Length - offset);
            await _socket.SendAsync(bytes.AsMemory(offset, length), WebSocketMessageType.Text, offset + length == bytes.Length, timeout.Token);
        }
    }

    /// <summary>Sends the start of a text message (a frame without FIN) and drops the connection.</summary>
    public async Task AbortMidMessageAsync(int bytes)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await _socket.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"ping\",\"pad\":\"" + new string('a', bytes)), WebSocketMessageType.Text, false, timeout.Token);
        _socket.Abort();
    }

    public async Task SendBytesAsync(byte[] bytes, WebSocketMessageType type)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await _socket.SendAsync(bytes, type, true, timeout.Token);
    }

    /// <summary>The next frame; fails the test if none comes in time.</summary>
    public async Task<JsonElement> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await _frames.Reader.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No frame within {(timeout ?? DefaultTimeout).TotalSeconds} s (socket {_socket.State}).");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"The connection closed ({_socket.CloseStatus} {_socket.CloseStatusDescription}) before another frame came.");
        }
    }

    /// <summary>The next frame of the given type, failing on any other type in between.</summary>
    public async Task<JsonElement> ReceiveAsync(string type, TimeSpan? timeout = null)
    {
        var frame = await ReceiveAsync(timeout);
        Assert.True(frame.GetProperty("type").GetString() == type, $"Expected a '{type}' frame, got {frame}");
        return frame;
    }

    /// <summary>Frames until one matches; the others are returned too.</summary>
    public async Task<List<JsonElement>> ReceiveUntilAsync(Func<JsonElement, bool> last, TimeSpan? timeout = null)
    {
        var frames = new List<JsonElement>();
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var remaining = deadline - DateTime.UtcNow;
            var frame = await ReceiveAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1));
            frames.Add(frame);
            if (last(frame))
            {
                return frames;
            }
        }
    }

    /// <summary>True if a frame arrives within the window; for asserting that nothing arrives.</summary>
    public async Task<JsonElement?> TryReceiveAsync(TimeSpan window)
    {
        try
        {
            return await ReceiveAsync(window);
        }
        catch (TimeoutException)
        {
            // Nothing came; a closed connection is not "nothing" and still throws.
            return null;
        }
    }

    public async Task<WebSocketCloseStatus?> WaitForCloseAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? DefaultTimeout);
        return await _closed.Task.WaitAsync(deadline.Token);
    }

    public async Task<JsonElement> LoginAsync(string username, string password)
    {
        await SendAsync(new { type = "login", username, password });
        return await ReceiveAsync("auth_success");
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "test done", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
        }

        _socket.Abort();
        await _reader;
        _socket.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _closed.TrySetResult(result.CloseStatus);
                    return;
                }

                using var document = JsonDocument.Parse(message.ToArray());
                await _frames.Writer.WriteAsync(document.RootElement.Clone());
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            _closed.TrySetResult(_socket.CloseStatus);
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }
}
