using System.Threading.Channels;

namespace EmailMonitor.Storage;

/// <summary>
/// A follower of the event log with its own cursor: it is handed every committed event exactly
/// once, in event_id order, with no gap: from what <see cref="CommitLog"/> announces when it
/// follows on from the cursor, and from the database when it does not (a commit announced out of
/// turn by another instance, or one its queue let go while it was busy).
/// </summary>
internal abstract class CommitLogReader(CommitLog log, EventStore store, TimeProvider time, ILogger logger) : BackgroundService
{
    private const int PageSize = 500;
    private const long PageBytes = 8 * 1024 * 1024;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    protected EventStore Store => store;

    protected TimeProvider Time => time;

    protected ILogger Logger => logger;

    /// <summary>The reader's name in logs.</summary>
    protected abstract string Name { get; }

    /// <summary>Where the reader starts: the last event_id it has already handled.</summary>
    protected abstract Task<long> StartingPointAsync(CancellationToken cancellationToken);

    /// <summary>Handles events in event_id order; the cursor moves past them once this returns.</summary>
    protected abstract Task HandleAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken);

    private ChannelReader<CommittedEvents>? _commits;

    // Subscribed as the host starts it (ExecuteAsync runs later, on its own), and before the
    // starting point is read: nothing committed from then on can be missed.
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _commits = log.Subscribe();
        return base.StartAsync(cancellationToken);
    }

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var commits = _commits!;
        try
        {
            var cursor = await RetryAsync(StartingPointAsync, stoppingToken);
            await foreach (var committed in commits.ReadAllAsync(stoppingToken))
            {
                if (committed.End <= cursor)
                {
                    continue;
                }

                if (committed.IsNotice)
                {
                    cursor = await CatchUpAsync(cursor, committed.End, stoppingToken);
                    continue;
                }

                if (committed.After > cursor)
                {
                    cursor = await CatchUpAsync(cursor, committed.After, stoppingToken);
                }

                var next = cursor;
                var fresh = committed.Events.Where(e => e.EventId > next).ToList();
                if (fresh.Count > 0)
                {
                    await HandleAsync(fresh, stoppingToken);
                    cursor = fresh[^1].EventId;
                }
            }
        }
        finally
        {
            log.Unsubscribe(commits);
        }
    }

    private async Task<long> CatchUpAsync(long cursor, long until, CancellationToken stoppingToken)
    {
        while (cursor < until)
        {
            var from = cursor;
            var page = await RetryAsync(token => store.ReadAfterAsync(from, PageSize, PageBytes, null, token), stoppingToken);
            if (page.Count == 0)
            {
                // Nothing left below until (retention deleted it before it was read), or until was
                // more than the log holds: the cursor goes no further than the log really ends.
                // That end is read before looking again, since what was committed after the empty
                // read lies at or below it and would otherwise be skipped, never handled.
                var end = await RetryAsync(store.LastEventIdAsync, stoppingToken);
                page = await RetryAsync(token => store.ReadAfterAsync(from, PageSize, PageBytes, null, token), stoppingToken);
                if (page.Count == 0)
                {
                    return Math.Max(cursor, Math.Min(until, end));
                }
            }

            await HandleAsync(page, stoppingToken);
            cursor = page[^1].EventId;
        }

        return cursor;
    }

    // The database being away is waited out: the events are safe there, and the cursor has not moved.
    private async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> read, CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                return await read(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.CommitLogReadFailed(Name, ex);
                await Task.Delay(RetryDelay, time, stoppingToken);
            }
        }
    }
}
