using EmailMonitor.Storage;

namespace EmailMonitor.Search;

/// <summary>
/// Gives the events stored before search existed their search fields, newest first, in small
/// batches with a pause between them, so writers are never held up for long. Every instance may
/// run it: an event is indexed by whichever gets to it first, and once.
/// </summary>
internal sealed class SearchBackfill(EventStore store, TimeProvider time, ILogger<SearchBackfill> logger) : BackgroundService
{
    private const int BatchSize = 200;

    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(50);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long total = 0;
        var below = long.MaxValue;
        while (true)
        {
            try
            {
                var (indexed, next) = await store.IndexUnindexedAsync(below, BatchSize, stoppingToken);
                if (indexed == 0)
                {
                    break;
                }

                total += indexed;
                below = next;
                await Task.Delay(Pause, time, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Search misses the older events meanwhile; nothing else waits on this.
                logger.SearchBackfillFailed(total, ex);
                await Task.Delay(RetryDelay, time, stoppingToken);
            }
        }

        if (total > 0)
        {
            logger.SearchBackfilled(total);
        }
    }
}
