using EmailMonitor.Observability;
using EmailMonitor.Security;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Realtime;

/// <summary>Accepts WebSocket upgrades on <c>/</c> and <c>/ws</c> and runs each connection to its end.</summary>
internal static class WebSocketEndpoint
{
    public static bool Handles(HttpContext context) =>
        context.WebSockets.IsWebSocketRequest && IsEndpointPath(context.Request.Path);

    public static bool IsEndpointPath(PathString path) => path.Value is "/" or "/ws";

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
        // Coalesced where the upgrade went through RealtimeExtensions' stand-in (HTTP/1.1), not over HTTP/2.
        await using var connection = context.Features.Get<IHttpUpgradeFeature>() is CoalescingUpgradeFeature { Stream: { } sends }
            ? ActivatorUtilities.CreateInstance<ClientConnection>(services, socket, context.Connection.RemoteIpAddress!, sends)
            : ActivatorUtilities.CreateInstance<ClientConnection>(services, socket, context.Connection.RemoteIpAddress!);

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
