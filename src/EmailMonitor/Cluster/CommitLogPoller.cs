using EmailMonitor.Storage;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Cluster;

/// <summary>
/// On a shared database, reads where the event log ends and announces what no message told this
/// instance about: every commit of another instance reaches this one's clients even when Redis is
/// down, restarting, or not configured, at worst a poll interval late.
/// </summary>
internal sealed class CommitLogPoller(
    CommitLog log, EventStore store, Database database, RedisConnection redis, IOptions<ClusterOptions> options, TimeProvider time, ILogger<CommitLogPoller> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (database.Path is not null)
        {
            // SQLite: this instance is the only writer, and it announces its own commits.
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var interval = redis.IsConnected ? options.Value.CommitPollIntervalWithRedis : options.Value.CommitPollInterval;
            await Task.Delay(interval, time, stoppingToken);
            try
            {
                var last = await store.LastEventIdAsync(stoppingToken);
                log.Announce(CommittedEvents.Notice(last));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.CommitPollFailed(ex);
            }
        }
    }
}
