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

    private static ServiceStats GetStats(ServiceMetrics metrics) => metrics.Snapshot();
}
