using System.Text.Json;
using EmailMonitor.Storage;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Alerts;

/// <summary>
/// A reader of the commit log: queues each committed event whose risk score reaches
/// <see cref="AlertOptions.MinRiskScore"/>, with the move of the alerts' cursor, then wakes the
/// sender. What was committed while the service was down is queued when it comes back.
/// </summary>
internal sealed class AlertEnqueuer(
    CommitLog log, EventStore events, AlertStore alerts, AlertSender sender, IOptions<AlertOptions> options, TimeProvider time, ILogger<AlertEnqueuer> logger)
    : CommitLogReader(log, events, time, logger)
{
    protected override string Name => "alerts";

    // Events read since the cursor last moved: it moves with every risky event, and otherwise only
    // now and then, so an ordinary commit costs no write (a restart reads these few again).
    private int _unmoved;

    protected override async Task<long> StartingPointAsync(CancellationToken cancellationToken)
    {
        var start = await alerts.StartAsync(options.Value.Enabled, cancellationToken);
        sender.Started();
        return start;
    }

    protected override async Task HandleAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var risky = events.Where(e => RiskScore(e) >= options.Value.MinRiskScore).Select(e => e.EventId).ToList();
        _unmoved += events.Count;
        if (risky.Count == 0 && _unmoved < 1000)
        {
            return;
        }

        _unmoved = 0;
        // Until stored: the reader's cursor must not pass events whose alerts are not queued.
        for (var failures = 0; ; failures++)
        {
            try
            {
                if (await alerts.EnqueueAsync(risky, events[^1].EventId, cancellationToken) > 0)
                {
                    sender.Wake();
                }

                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Logger.AlertsNotQueued(events[0].EventId, events[^1].EventId, ex);
                await Task.Delay(failures < 5 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(5), Time, cancellationToken);
            }
        }
    }

    private static int RiskScore(StoredEvent stored)
    {
        try
        {
            using var document = JsonDocument.Parse(stored.Payload);
            return document.RootElement.TryGetProperty("risk_score", out var score) && score.TryGetInt32(out var value) ? value : 0;
        }
        catch (JsonException)
        {
            return 0;
        }
    }
}
