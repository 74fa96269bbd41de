namespace EmailMonitor.Rules;

/// <summary>
/// Notices rules changed on another instance sharing the database: one read of the revision every
/// <see cref="Interval"/>, and a reload when it moved. Changes made here reload at once.
/// </summary>
internal sealed class RuleRefresher(RuleBook book, TimeProvider time, ILogger<RuleRefresher> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await book.RefreshAsync(stoppingToken);
                failing = false;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The rules in force stay in force; said once until a read works again.
                if (!failing)
                {
                    logger.RulesNotRefreshed(ex);
                    failing = true;
                }
            }
        }
    }
}
