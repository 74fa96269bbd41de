using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EmailMonitor.Storage;

internal sealed class DatabaseHealthCheck(Database database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await database.IsHealthyAsync(cancellationToken)
                ? HealthCheckResult.Healthy("SQLite answers")
                : HealthCheckResult.Unhealthy("SQLite gave an unexpected answer");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The message may name files and paths; anyone may read this answer, so it says no more.
            return HealthCheckResult.Unhealthy("SQLite is unavailable", ex);
        }
    }
}
