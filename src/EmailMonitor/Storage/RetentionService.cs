using Microsoft.Extensions.Options;

namespace EmailMonitor.Storage;

/// <summary>
/// Deletes events past RETENTION_DAYS and RETENTION_MAX_EVENTS, oldest first, in small batches so
/// the writer is never held up for long. Every instance may run it: a batch deleted twice is a batch
/// deleted once.
/// </summary>
internal sealed class RetentionService(EventStore store, IOptions<StorageOptions> options, TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    private const int BatchSize = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.RetentionAge == TimeSpan.Zero && settings.RetentionMaxEvents == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(settings.RetentionInterval, time);
        do
        {
            try
            {
                await RunAsync(settings, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Nothing is lost by waiting: the next run deletes what this one did not.
                logger.RetentionFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass: batches until nothing more is due. Returns how many events it deleted.</summary>
    public async Task<long> RunAsync(StorageOptions settings, CancellationToken cancellationToken)
    {
        DateTimeOffset? cutoff = settings.RetentionAge > TimeSpan.Zero ? time.GetUtcNow() - settings.RetentionAge : null;
        long total = 0;
        int deleted;
        do
        {
            deleted = await store.DeleteOldestAsync(cutoff, settings.RetentionMaxEvents, BatchSize, cancellationToken);
            total += deleted;
        }
        while (deleted > 0);

        if (total > 0)
        {
            logger.RetentionDeleted(total);
        }

        return total;
    }
}
