using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using EmailMonitor.Storage;

namespace EmailMonitor.Webhooks;

/// <summary>
/// Sends due deliveries: each claimed in the database for <see cref="ClaimFor"/> before it is sent
/// (so of several instances one sends it, and a crash mid-send lets another try once the claim
/// runs out), each webhook at most <see cref="WebhookSettings.MaxInFlight"/> at once, an ordered one
/// strictly one after the other. A slow or dead receiver holds only its own slots: every other
/// webhook, and the WebSocket path, goes on.
/// </summary>
internal sealed class WebhookDispatcher(
    WebhookStore store, EventStore events, WebhookClient client, TimeProvider time, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    /// <summary>How long a claim keeps other instances off a delivery: well past an attempt's 10 s.</summary>
    public static readonly TimeSpan ClaimFor = TimeSpan.FromSeconds(30);

    /// <summary>How long the record of a delivery that ended (delivered or dead) is kept.</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromDays(30);

    private const int MaxInFlight = 128;
    private const string EventGone = "the event is no longer stored";
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<long, int> _inFlight = new();
    private readonly ConcurrentDictionary<long, byte> _failing = new();
    private readonly ConcurrentDictionary<Task, byte> _sending = new();
    private int _total;
    private DateTimeOffset _prunedAt;

    /// <summary>Looks for due deliveries now rather than at the next poll.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var left = true;
            var databaseAway = false;
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (left)
                    {
                        await store.ReleaseLeftClaimsAsync(stoppingToken);
                        left = false;
                    }

                    await RoundAsync(stoppingToken);
                    if (time.GetUtcNow() - _prunedAt > TimeSpan.FromHours(1))
                    {
                        _prunedAt = time.GetUtcNow();
                        await store.PruneAsync(_prunedAt - KeptFor, stoppingToken);
                    }

                    databaseAway = false;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The database away: deliveries wait there, nothing is lost. Said once until it works again.
                    if (!databaseAway)
                    {
                        logger.DispatchFailed(ex);
                        databaseAway = true;
                    }
                }

                using var poll = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                poll.CancelAfter(PollInterval);
                try
                {
                    await _wake.Reader.ReadAsync(poll.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // Polled: retries fall due without anyone waking this.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: attempts under way are cancelled, their claims run out, and they are sent again.
        }

        await Task.WhenAll(_sending.Keys);
    }

    private async Task RoundAsync(CancellationToken stoppingToken)
    {
        if (Volatile.Read(ref _total) >= MaxInFlight)
        {
            return;
        }

        var webhooks = await store.SettingsAsync(stoppingToken);
        // Paused webhooks' deliveries wait (they go out when it is enabled again); each webhook has
        // its own share of the page, so a backlog of one never keeps the others waiting.
        var enabled = webhooks.Where(w => w.Value.Enabled).Select(w => w.Key).ToList();
        var due = await store.DueAsync(enabled, perWebhook: 16, limit: 500, stoppingToken);
        var heads = new Dictionary<long, long?>();
        foreach (var delivery in due)
        {
            if (Volatile.Read(ref _total) >= MaxInFlight)
            {
                break;
            }

            var settings = webhooks[delivery.WebhookId];
            var busy = _inFlight.GetValueOrDefault(delivery.WebhookId);
            if (busy >= settings.MaxInFlight || (settings.Ordered && busy > 0))
            {
                continue;
            }

            if (settings.Ordered)
            {
                if (!heads.TryGetValue(delivery.WebhookId, out var head))
                {
                    head = await store.OldestPendingAsync(delivery.WebhookId, stoppingToken);
                    heads[delivery.WebhookId] = head;
                }

                if (head != delivery.Id)
                {
                    continue;
                }
            }

            if (await store.TryClaimAsync(delivery.Id, ClaimFor, stoppingToken) is not { } claim)
            {
                continue;
            }

            _inFlight.AddOrUpdate(delivery.WebhookId, 1, (_, n) => n + 1);
            Interlocked.Increment(ref _total);
            var sending = SendAsync(delivery.WebhookId, settings, delivery, claim, stoppingToken);
            _sending[sending] = 0;
            _ = sending.ContinueWith(done => _sending.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task SendAsync(long webhook, WebhookSettings settings, DueDelivery delivery, long claim, CancellationToken stoppingToken)
    {
        // Off the dispatching loop at once: a slow receiver never holds it.
        await Task.Yield();
        try
        {
            var attempt = await AttemptAsync(webhook, settings, delivery, stoppingToken);
            var delivered = attempt.Status is >= 200 and < 300;
            var retryAt = delivered || attempt.Error is { } error && error.StartsWith(EventGone, StringComparison.Ordinal)
                ? null
                : RetrySchedule.Next(delivery.FirstAttemptAt ?? attempt.At, delivery.Attempts + 1, time.GetUtcNow(), Random.Shared);
            await store.FinishAttemptAsync(delivery, claim, attempt, delivered, retryAt, stoppingToken);
            Note(webhook, delivery, attempt, delivered, retryAt);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the claim runs out and the delivery is sent again.
        }
        catch (Exception ex)
        {
            // Not recorded (the database away): the claim runs out and the delivery is tried again,
            // perhaps a second time for a receiver that got it (which the webhook-id lets it notice).
            logger.DeliveryNotRecorded(webhook, delivery.EventId, ex);
        }
        finally
        {
            _inFlight.AddOrUpdate(webhook, 0, (_, n) => n - 1);
            Interlocked.Decrement(ref _total);
            Wake();
        }
    }

    // A receiver that is down for a week must not write a line per attempt: its state changes are
    // logged (failing, and delivering again), each attempt only at Debug, and each dead delivery.
    private void Note(long webhook, DueDelivery delivery, WebhookAttempt attempt, bool delivered, DateTimeOffset? retryAt)
    {
        if (delivered)
        {
            if (_failing.TryRemove(webhook, out _))
            {
                logger.WebhookRecovered(webhook);
            }

            return;
        }

        if (_failing.TryAdd(webhook, 0))
        {
            logger.WebhookFailing(webhook, delivery.EventId, attempt.Error ?? string.Empty);
        }

        if (retryAt is { } next)
        {
            logger.DeliveryFailed(webhook, delivery.EventId, delivery.Attempts + 1, attempt.Error ?? string.Empty, next);
        }
        else
        {
            logger.DeliveryDead(webhook, delivery.EventId, delivery.Attempts + 1, attempt.Error ?? string.Empty);
        }
    }

    private async Task<WebhookAttempt> AttemptAsync(long webhook, WebhookSettings settings, DueDelivery delivery, CancellationToken stoppingToken)
    {
        var at = time.GetUtcNow();
        var started = time.GetTimestamp();
        byte[] body;
        IReadOnlyList<byte[]> keys;
        try
        {
            var page = await events.ReadAfterAsync(delivery.EventId - 1, 1, stoppingToken);
            if (page is not [var stored] || stored.EventId != delivery.EventId)
            {
                return new WebhookAttempt(at, null, $"{EventGone} (deleted before it could be delivered)", 0);
            }

            body = WebhookPayloads.For(settings, stored);
            keys = await store.KeysAsync(webhook, stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A failed attempt, counted like any other: a fault that repeats ends in a dead delivery, not a loop.
            return new WebhookAttempt(at, null, $"could not be prepared ({ex.GetType().Name})", 0);
        }

        if (keys.Count == 0)
        {
            // Never sent unsigned: the sealed secret did not open (CREDENTIALS_KEY changed, or differs between instances).
            return new WebhookAttempt(at, null, "not sent: no signing secret of this webhook opens with this CREDENTIALS_KEY; rotate its secret", 0);
        }

        var id = delivery.EventId.ToString(CultureInfo.InvariantCulture);
        var timestamp = at.ToUnixTimeSeconds();
        var (status, error) = await client.PostAsync(
            new Uri(settings.Url),
            body,
            [
                new("webhook-id", id),
                new("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture)),
                new("webhook-signature", WebhookSecret.Sign(keys, id, timestamp, body)),
                new("User-Agent", "email-monitor-webhooks"),
            ],
            stoppingToken);
        return new WebhookAttempt(at, status, error, (long)time.GetElapsedTime(started).TotalMilliseconds);
    }
}
