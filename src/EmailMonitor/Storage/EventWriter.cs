using System.Diagnostics;
using System.Threading.Channels;
using EmailMonitor.Observability;
using EmailMonitor.Pipeline;

namespace EmailMonitor.Storage;

/// <summary>
/// This instance's writer of events: commits analysed emails in batches, then announces each
/// commit to the log's readers (<see cref="CommitLog"/>).
/// </summary>
internal sealed class EventWriter(
    ChannelReader<AnalysedEmail> analysed,
    CommitLog log,
    EventStore store,
    ServiceMetrics metrics,
    EmailTracing tracing,
    TimeProvider time,
    ILogger<EventWriter> logger) : BackgroundService
{
    private const int MaxBatchSize = 100;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.WatchQueue("storage", () => analysed.Count);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AnalysedEmail>(MaxBatchSize);
        while (await analysed.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            while (batch.Count < MaxBatchSize && analysed.TryRead(out var email))
            {
                batch.Add(email);
            }

            var spans = StartStoreSpans(batch);
            CommittedEvents? committed = null;
            try
            {
                committed = await CommitAsync(batch, stoppingToken);
            }
            finally
            {
                EndStoreSpans(spans, committed);
            }

            // Counted before anyone hears of it: a client that saw the event finds it in /metrics.
            metrics.EmailsProcessed(committed!.Events.Count);
            log.Announce(committed);
        }
    }

    // One span per email, all covering the one commit that holds them (retries included). None of
    // them becomes the current activity: each would otherwise hold on to the one before it.
    private List<Activity>? StartStoreSpans(List<AnalysedEmail> batch)
    {
        List<Activity>? spans = null;
        var current = Activity.Current;
        foreach (var email in batch)
        {
            if (tracing.StartStore(email.Trace, email.Event) is { } span)
            {
                Activity.Current = current;
                span.SetTag("email.batch_size", batch.Count);
                (spans ??= []).Add(span);
            }
        }

        return spans;
    }

    private static void EndStoreSpans(List<Activity>? spans, CommittedEvents? committed)
    {
        if (spans is null)
        {
            return;
        }

        var current = Activity.Current;
        if (committed is null)
        {
            // Stopped before the commit held them (shutdown): the spans end, marked so.
            foreach (var span in spans)
            {
                span.SetStatus(ActivityStatusCode.Error, "not committed");
                span.Dispose();
            }

            Activity.Current = current;
            return;
        }

        var eventIds = new Dictionary<ActivitySpanId, long>();
        foreach (var stored in committed.Events.Where(e => e.Trace != default))
        {
            eventIds.TryAdd(stored.Trace.SpanId, stored.EventId);
        }

        foreach (var span in spans)
        {
            if (span.ParentSpanId != default && eventIds.TryGetValue(span.ParentSpanId, out var eventId))
            {
                span.SetTag("email.event_id", eventId);
            }

            span.Dispose();
        }

        Activity.Current = current;
    }

    // A failed commit (disk full, database locked too long) is retried until it succeeds: the
    // checkpoint has not moved, so nothing is lost, and dropping the batch would lose mail.
    private async Task<CommittedEvents> CommitAsync(List<AnalysedEmail> batch, CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                // The commit itself is not cancelled at shutdown: the email in hand is finished.
                return await store.AppendAsync(batch, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.CommitFailed(batch.Count, ex);
                await Task.Delay(RetryDelay, time, stoppingToken);
            }
        }
    }
}
