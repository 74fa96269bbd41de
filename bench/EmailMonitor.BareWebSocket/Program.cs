using System.Collections.Concurrent;
using System.Net.WebSockets;

// The baseline the monitor's WebSocket side is measured against: Kestrel with the same web SDK
// defaults (server garbage collector included) holding WebSocket connections and sending every
// one the same bytes, with none of the monitor's logic: no authentication, queues or checks.
// The receive loop is the one ASP.NET Core's WebSocket documentation shows (a 4 KiB buffer).
//   EmailMonitor.BareWebSocket <port>
//   GET / with an upgrade: a connection, held until the client closes it.
//   POST /broadcast: the request body, sent as one text message to every connection; answers
//   once every send has completed. GET /count: connections held.
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://127.0.0.1:{args[0]}");
var app = builder.Build();
app.UseWebSockets();
var sockets = new ConcurrentDictionary<WebSocket, byte>();

app.MapGet("/count", () => sockets.Count);
app.MapPost("/broadcast", async (HttpRequest request) =>
{
    using var body = new MemoryStream();
    await request.Body.CopyToAsync(body);
    var bytes = body.ToArray();
    await Task.WhenAll(sockets.Keys.Select(socket => Send(socket, bytes)));
    return Results.NoContent();
});
app.Map("/", async (HttpContext context) =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return;
    }

    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    sockets.TryAdd(socket, 0);
    var buffer = new byte[1024 * 4];
    try
    {
        while (socket.State == WebSocketState.Open)
        {
            var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
        }
    }
    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
    {
    }
    finally
    {
        sockets.TryRemove(socket, out _);
    }
});

// Ends with the driver that started it: its standard input closes when the driver exits.
_ = Task.Run(async () =>
{
    await Console.In.ReadToEndAsync();
    await app.StopAsync();
});
await app.RunAsync();

static async Task Send(WebSocket socket, byte[] bytes)
{
    try
    {
        await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
    }
    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
    {
    }
}
