using System.Security.Claims;
using EmailMonitor.Auth;
using EmailMonitor.Observability;

namespace EmailMonitor.Api;

/// <summary><c>GET /api/stats</c>: the seed's system metrics as JSON, for any signed-in user.</summary>
internal static class StatsApi
{
    public static IEndpointRouteBuilder MapStatsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/stats", GetStats)
            .RequireAuthorization(AuthPolicies.Viewer)
            .WithTags("Monitoring")
            .WithSummary("The service's metrics: connections, emails, rate limits, blocks, failed authentications, uptime, mailboxes");
        return endpoints;
    }

    // A viewer limited to some mailboxes is not told of the others, not even their names.
    private static ServiceStats GetStats(ClaimsPrincipal user, ServiceMetrics metrics, MailboxAccess access)
    {
        var stats = metrics.Snapshot();
        return access.Visible(user.Identity?.Name ?? string.Empty, user.FindFirstValue(ClaimTypes.Role) ?? Roles.Viewer) is { } visible
            ? stats with { Mailboxes = [.. stats.Mailboxes.Where(m => visible.Contains(m.Mailbox))] }
            : stats;
    }
}
