using EmailMonitor.Observability;
using EmailMonitor.Security;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Realtime;

/// <summary>Accepts WebSocket upgrades on <c>/</c> and <c>/ws</c> and runs each connection to its end.</summary>
internal static class WebSocketEndpoint
{
    public static bool Handles(HttpContext context) =>
        context.WebSockets.IsWebSocketRequest && context.Request.Path.Value is "/" or "/ws";

    public static async Task AcceptAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<RealtimeOptions>>().Value;
        var registry = services.GetRequiredService<ConnectionRegistry>();
        var metrics = services.GetRequiredService<ServiceMetrics>();

        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = options.KeepAliveInterval,
            KeepAliveTimeout = options.KeepAliveTimeout,
        });
        await using var connection = ActivatorUtilities.CreateInstance<ClientConnection>(services, socket, context.Connection.RemoteIpAddress!);

        var (admitted, status, reason) = await registry.TryAdmitAsync(connection, context.RequestAborted);
        if (!admitted)
        {
            services.GetRequiredService<SecurityLog>().ConnectionRefused(connection.RemoteAddress, reason);
            connection.Close(status, reason);
            await connection.RunAsync(context.RequestAborted);
            return;
        }

        metrics.ConnectionOpened();
        try
        {
            await connection.RunAsync(context.RequestAborted);
        }
        finally
        {
            registry.Remove(connection);
            metrics.ConnectionClosed();
        }
    }
}
