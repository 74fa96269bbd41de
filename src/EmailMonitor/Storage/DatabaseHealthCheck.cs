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
            return HealthCheckResult.Unhealthy($"SQLite is unavailable: {ex.Message}");
        }
    }
}
