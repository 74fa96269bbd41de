namespace EmailMonitor.Observability;

/// <summary>Samples the service's metrics into <see cref="StatsHistory"/> once a minute, from start.</summary>
internal sealed class StatsRecorder(ServiceMetrics metrics, StatsHistory history, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        history.Record(metrics.Sample(), endsHour: true);
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
        var minutes = 0;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            minutes++;
            history.Record(metrics.Sample(), endsHour: minutes % 60 == 0);
        }
    }
}
