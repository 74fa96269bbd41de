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

    private const int MaxInFlight = 64;
    private const string EventGone = "the event is no longer stored";
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<long, int> _inFlight = new();
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
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The database away: deliveries wait there, nothing is lost.
                    logger.DispatchFailed(ex);
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

        var due = await store.DueAsync(200, stoppingToken);
        if (due.Count == 0)
        {
            return;
        }

        var webhooks = (await store.ListAsync(null, stoppingToken)).ToDictionary(w => w.Id);
        var oldest = webhooks.Values.Any(w => w.Settings.Ordered) ? await store.OldestPendingAsync(stoppingToken) : new Dictionary<long, long>();
        foreach (var delivery in due)
        {
            if (Volatile.Read(ref _total) >= MaxInFlight)
            {
                break;
            }

            if (!webhooks.TryGetValue(delivery.WebhookId, out var webhook) || !webhook.Settings.Enabled)
            {
                // Deleted meanwhile, or paused: it waits (a paused webhook's deliveries go out when it is enabled again).
                continue;
            }

            var busy = _inFlight.GetValueOrDefault(webhook.Id);
            if (busy >= webhook.Settings.MaxInFlight
                || (webhook.Settings.Ordered && (busy > 0 || oldest.GetValueOrDefault(webhook.Id) != delivery.Id)))
            {
                continue;
            }

            var claimedUntil = DateTimeOffset.FromUnixTimeMilliseconds((time.GetUtcNow() + ClaimFor).ToUnixTimeMilliseconds());
            if (!await store.TryClaimAsync(delivery.Id, claimedUntil, stoppingToken))
            {
                continue;
            }

            _inFlight.AddOrUpdate(webhook.Id, 1, (_, n) => n + 1);
            Interlocked.Increment(ref _total);
            var sending = SendAsync(webhook, delivery, claimedUntil, stoppingToken);
            _sending[sending] = 0;
            _ = sending.ContinueWith(done => _sending.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task SendAsync(Webhook webhook, DueDelivery delivery, DateTimeOffset claimedUntil, CancellationToken stoppingToken)
    {
        // Off the dispatching loop at once: a slow receiver never holds it.
        await Task.Yield();
        try
        {
            var attempt = await AttemptAsync(webhook, delivery, stoppingToken);
            var delivered = attempt.Status is >= 200 and < 300;
            var retryAt = delivered || attempt.Error is { } error && error.StartsWith(EventGone, StringComparison.Ordinal)
                ? null
                : RetrySchedule.Next(delivery.FirstAttemptAt ?? attempt.At, delivery.Attempts + 1, time.GetUtcNow(), Random.Shared);
            await store.FinishAttemptAsync(delivery, claimedUntil, attempt, delivered, retryAt, stoppingToken);
            if (!delivered && retryAt is null)
            {
                logger.DeliveryDead(webhook.Id, delivery.EventId, delivery.Attempts + 1, attempt.Error ?? string.Empty);
            }
            else if (!delivered)
            {
                logger.DeliveryFailed(webhook.Id, delivery.EventId, delivery.Attempts + 1, attempt.Error ?? string.Empty, retryAt!.Value);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the claim runs out and the delivery is sent again.
        }
        catch (Exception ex)
        {
            // Not recorded: the claim runs out and the delivery is tried again, perhaps a second
            // time for a receiver that got it (which the webhook-id lets it notice).
            logger.DeliveryNotRecorded(webhook.Id, delivery.EventId, ex);
        }
        finally
        {
            _inFlight.AddOrUpdate(webhook.Id, 0, (_, n) => n - 1);
            Interlocked.Decrement(ref _total);
            Wake();
        }
    }

    private async Task<WebhookAttempt> AttemptAsync(Webhook webhook, DueDelivery delivery, CancellationToken stoppingToken)
    {
        var at = time.GetUtcNow();
        var started = time.GetTimestamp();
        var page = await events.ReadAfterAsync(delivery.EventId - 1, 1, stoppingToken);
        if (page is not [var stored] || stored.EventId != delivery.EventId)
        {
            return new WebhookAttempt(at, null, $"{EventGone} (retention deleted it before it could be delivered)", 0);
        }

        var body = WebhookPayloads.For(webhook.Settings, stored);
        var id = delivery.EventId.ToString(CultureInfo.InvariantCulture);
        var timestamp = at.ToUnixTimeSeconds();
        var keys = await store.KeysAsync(webhook.Id, stoppingToken);
        var (status, error) = await client.PostAsync(
            new Uri(webhook.Settings.Url),
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
