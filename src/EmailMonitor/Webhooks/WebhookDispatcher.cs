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
    WebhookStore store, EventStore events, WebhookClient client, Observability.ServiceMetrics metrics, TimeProvider time, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    /// <summary>How long a claim keeps other instances off a delivery: well past an attempt's 10 s.</summary>
    public static readonly TimeSpan ClaimFor = TimeSpan.FromSeconds(30);

    /// <summary>How long the record of a delivery that ended (delivered or dead) is kept.</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromDays(30);

    private const int MaxInFlight = 128;
    private static readonly TimeSpan KeysFor = TimeSpan.FromSeconds(5);
    private const string EventGone = "the event is no longer stored";
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<long, int> _inFlight = new();
    private readonly ConcurrentDictionary<long, byte> _failing = new();
    private readonly ConcurrentDictionary<long, (DateTimeOffset ReadAt, IReadOnlyList<byte[]> Keys)> _keys = new();
    private readonly Channel<(FinishedAttempt Finished, TaskCompletionSource Done)> _records =
        Channel.CreateUnbounded<(FinishedAttempt, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<Task, byte> _sending = new();
    private int _total;
    private DateTimeOffset _prunedAt;

    /// <summary>Looks for due deliveries now rather than at the next poll.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var recording = RecordLoopAsync();
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
        _records.Writer.Complete();
        await recording;
    }

    private async Task RoundAsync(CancellationToken stoppingToken)
    {
        if (Volatile.Read(ref _total) >= MaxInFlight)
        {
            return;
        }

        var webhooks = await store.SettingsAsync(stoppingToken);
        var wanted = new List<DueDelivery>();
        // Each enabled webhook on its own, up to its free slots: a backlog, a paused webhook (whose
        // deliveries wait until it is enabled again) or an ordered one stuck behind a failing head
        // never keeps the others waiting.
        foreach (var (webhook, settings) in webhooks.Where(w => w.Value.Enabled).OrderBy(w => w.Key))
        {
            var free = Math.Min(
                (settings.Ordered ? 1 : settings.MaxInFlight) - _inFlight.GetValueOrDefault(webhook),
                MaxInFlight - Volatile.Read(ref _total) - wanted.Count);
            if (free <= 0)
            {
                continue;
            }

            var due = await store.DueAsync(webhook, free, stoppingToken);
            if (settings.Ordered && due.Count > 0 && await store.OldestPendingAsync(webhook, stoppingToken) != due[0].Id)
            {
                // Its oldest pending delivery is waiting for its retry: nothing after it may pass.
                continue;
            }

            wanted.AddRange(due);
        }

        // One statement claims them all: a burst costs a write per round, not per delivery.
        var claims = await store.ClaimAsync([.. wanted.Select(d => d.Id)], ClaimFor, stoppingToken);
        foreach (var delivery in wanted)
        {
            if (!claims.TryGetValue(delivery.Id, out var claim))
            {
                continue;
            }

            _inFlight.AddOrUpdate(delivery.WebhookId, 1, (_, n) => n + 1);
            Interlocked.Increment(ref _total);
            var sending = SendAsync(delivery.WebhookId, webhooks[delivery.WebhookId], delivery, claim, stoppingToken);
            _sending[sending] = 0;
            _ = sending.ContinueWith(done => _sending.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    // Attempts finished together are recorded together, in one transaction: on SQLite (a disk write
    // per commit) this is what lets a burst go out at hundreds of deliveries a second.
    private async Task RecordLoopAsync()
    {
        var batch = new List<(FinishedAttempt Finished, TaskCompletionSource Done)>();
        while (await _records.Reader.WaitToReadAsync())
        {
            while (batch.Count < 200 && _records.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            try
            {
                await store.FinishAttemptsAsync([.. batch.Select(b => b.Finished)], CancellationToken.None);
                batch.ForEach(b => b.Done.TrySetResult());
            }
            catch (Exception ex)
            {
                batch.ForEach(b => b.Done.TrySetException(ex));
            }

            batch.Clear();
        }
    }

    private Task RecordAsync(FinishedAttempt finished)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _records.Writer.TryWrite((finished, done)) ? done.Task : Task.FromException(new InvalidOperationException("The dispatcher has stopped."));
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
            await RecordAsync(new FinishedAttempt(delivery, claim, attempt, delivered, retryAt));
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
        metrics.WebhookAttempt(webhook, delivered ? "delivered" : retryAt is null ? "dead" : "failed");
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

    // Read once every few seconds per webhook rather than per delivery: a rotation made on another
    // instance signs here within that time (the old key goes on signing beside it for a day anyway).
    private async Task<IReadOnlyList<byte[]>> KeysAsync(long webhook, CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        if (_keys.TryGetValue(webhook, out var known) && now - known.ReadAt < KeysFor && known.Keys.Count > 0)
        {
            return known.Keys;
        }

        var keys = await store.KeysAsync(webhook, stoppingToken);
        _keys[webhook] = (now, keys);
        return keys;
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
            keys = await KeysAsync(webhook, stoppingToken);
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
