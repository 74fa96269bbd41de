using EmailMonitor.Observability;
using EmailMonitor.Storage;

namespace EmailMonitor.Realtime;

/// <summary>
/// Hands each committed event, in event_id order, to every connection of this instance. Starts at
/// the end of the log: what was committed before a client connected reaches it by <c>resume</c>.
/// </summary>
internal sealed class FanOutService(
    CommitLog log, EventStore store, ConnectionRegistry connections, EmailTracing tracing, TimeProvider time, ILogger<FanOutService> logger)
    : CommitLogReader(log, store, time, logger)
{
    protected override string Name => "fan-out";

    protected override Task<long> StartingPointAsync(CancellationToken cancellationToken) => Store.LastEventIdAsync(cancellationToken);

    protected override Task HandleAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        foreach (var stored in events)
        {
            using var span = tracing.StartPush(stored.Trace, stored.EventId);
            connections.Publish(stored);
        }

        return Task.CompletedTask;
    }
}
