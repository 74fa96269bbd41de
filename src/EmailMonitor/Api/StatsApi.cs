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
        endpoints.MapGet("/api/stats/history", GetHistory)
            .RequireAuthorization(AuthPolicies.Viewer)
            .WithTags("Monitoring")
            .WithSummary("The metrics over time, this instance's: ?period=hour (a point a minute, the default) or day (a point an hour); each point's counters are what happened in it, its gauges as they stood at its end; the last point is the one in progress (complete: false)")
            .Produces<StatsHistoryResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return endpoints;
    }

    private static IResult GetHistory(HttpRequest request, ClaimsPrincipal user, ServiceMetrics metrics, StatsHistory history, MailboxAccess access)
    {
        var values = request.Query["period"];
        StatsPeriod? period = values.Count == 0 ? StatsPeriod.Hour : values.Count == 1 ? values[0] switch
        {
            "hour" => StatsPeriod.Hour,
            "day" => StatsPeriod.Day,
            _ => null,
        } : null;
        if (period is not { } chosen)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "'period' must be hour or day.");
        }

        var points = history.Read(chosen, metrics.Sample());
        // Flags are counted over every mailbox: a viewer limited to some is not told of the others'.
        if (access.Visible(user) is not null)
        {
            points = [.. points.Select(point => point with { Flagged = new Dictionary<string, long>() })];
        }

        return Results.Ok(new StatsHistoryResponse(chosen == StatsPeriod.Hour ? "hour" : "day", chosen == StatsPeriod.Hour ? 60 : 3600, points));
    }

    // A viewer limited to some mailboxes is not told of the others, not even their names.
    private static ServiceStats GetStats(ClaimsPrincipal user, ServiceMetrics metrics, MailboxAccess access)
    {
        var stats = metrics.Snapshot();
        return access.Visible(user) is { } visible
            ? stats with { Mailboxes = [.. stats.Mailboxes.Where(m => visible.Contains(m.Mailbox))] }
            : stats;
    }
}

/// <summary>The answer of <c>/api/stats/history</c>.</summary>
internal sealed record StatsHistoryResponse(string Period, int IntervalSeconds, IReadOnlyList<StatsPoint> Points);
