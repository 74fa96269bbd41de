using System.Globalization;
using EmailMonitor.Observability;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Security;

/// <summary>
/// The first thing every request meets, before any WebSocket handshake: listed and blocked
/// addresses are refused (403), an address over its request budget waits (429 with Retry-After),
/// and a browser may open the WebSocket only from an allowed origin (403).
/// </summary>
internal sealed class PerimeterMiddleware(
    RequestDelegate next,
    NetworkRules rules,
    BlockList blocks,
    RateLimits limits,
    IOptions<SecurityOptions> options,
    SecurityLog securityLog,
    ServiceMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is not null && (rules.IsListedAsBlocked(address) || !rules.IsAllowed(address)))
        {
            securityLog.AccessDenied(address, "address not allowed by ALLOWED_IPS/BLOCKED_IPS");
            await RefuseAsync(context, StatusCodes.Status403Forbidden, "This address may not connect.");
            return;
        }

        if (address is not null && blocks.Find(address) is { } block)
        {
            securityLog.AccessDenied(address, $"blocked until {block.ExpiresAt:O}");
            await RefuseAsync(context, StatusCodes.Status403Forbidden, "This address is blocked.");
            return;
        }

        // A load balancer probes every instance from the same few addresses: its probes count
        // against each instance's budget, never against one shared by all of them.
        var probe = context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal);
        if (!limits.TryRequest(address, out var retryAfter, shared: !probe))
        {
            metrics.RateLimitExceeded("http");
            securityLog.RateLimited(address, null, $"{context.Request.Method} {context.Request.Path}");
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await RefuseAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests; retry later.");
            return;
        }

        if (IsWebSocketHandshake(context.Request) && !IsOriginAllowed(context))
        {
            securityLog.OriginRefused(address, context.Request.Headers.Origin.ToString());
            await RefuseAsync(context, StatusCodes.Status403Forbidden, "This origin may not open the WebSocket.");
            return;
        }

        await next(context);
    }

    // Read from the headers: this runs before the WebSocket middleware that would tell.
    private static bool IsWebSocketHandshake(HttpRequest request) =>
        request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase)
        || (HttpMethods.IsConnect(request.Method) && request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpExtendedConnectFeature>()?.Protocol == "websocket");

    // Browsers always send Origin with a WebSocket handshake; other clients usually do not. The
    // service's own origin (its dashboard) is always allowed, others only when listed.
    private bool IsOriginAllowed(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return true;
        }

        var normalized = origin.TrimEnd('/').ToLowerInvariant();
        var own = $"{context.Request.Scheme}://{context.Request.Host}".ToLowerInvariant();
        return normalized == own || options.Value.AllowedOrigins.Contains(normalized, StringComparer.Ordinal);
    }

    private static Task RefuseAsync(HttpContext context, int status, string detail) =>
        Results.Problem(statusCode: status, detail: detail).ExecuteAsync(context);
}
