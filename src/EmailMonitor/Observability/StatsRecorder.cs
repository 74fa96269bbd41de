namespace EmailMonitor.Observability;

/// <summary>Samples the service's metrics into <see cref="StatsHistory"/> once a minute, from start.</summary>
internal sealed class StatsRecorder(ServiceMetrics metrics, StatsHistory history, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        history.Record(metrics.Sample());
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            history.Record(metrics.Sample());
        }
    }
}
