using EmailMonitor.Storage;

namespace EmailMonitor.Webhooks;

/// <summary>
/// A reader of the commit log: turns each committed event into a delivery for every webhook it
/// matches, stored with the move of that webhook's cursor (<see cref="WebhookStore.EnqueueAsync"/>),
/// then wakes the dispatcher. Starts from the slowest webhook's cursor, so what was committed while
/// the service was down is enqueued when it comes back.
/// </summary>
internal sealed class WebhookEnqueuer(CommitLog log, EventStore events, WebhookStore webhooks, WebhookDispatcher dispatcher, TimeProvider time, ILogger<WebhookEnqueuer> logger)
    : CommitLogReader(log, events, time, logger)
{
    protected override string Name => "webhooks";

    protected override Task<long> StartingPointAsync(CancellationToken cancellationToken) => webhooks.SlowestCursorAsync(cancellationToken);

    protected override async Task HandleAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        // Until stored: the reader's cursor must not pass events whose deliveries are not. A failure
        // leaves the webhooks' cursors where they were, so trying again adds nothing twice.
        for (var failures = 0; ; failures++)
        {
            try
            {
                if (await webhooks.EnqueueAsync(events, cancellationToken) > 0)
                {
                    dispatcher.Wake();
                }

                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Logger.EnqueueFailed(events[0].EventId, events[^1].EventId, ex);
                await Task.Delay(failures < 5 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(5), Time, cancellationToken);
            }
        }
    }
}
