using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Alerts;

/// <summary>
/// Sends the queued alerts: at once when the last alert is an interval old, otherwise gathered
/// until it is, so a phishing wave makes one digest per interval instead of a flood. Of several
/// instances, the one holding the claim sends. A failed send keeps the queue as it was and is
/// tried again, sooner at first, then every few minutes.
/// </summary>
internal sealed class AlertSender(AlertStore store, AlertMailer mailer, IOptions<AlertOptions> options, TimeProvider time, ILogger<AlertSender> logger)
    : BackgroundService
{
    private static readonly TimeSpan ClaimHold = AlertMailer.DefaultTimeout * 4;
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5)];

    // Another instance's commits wake this one's enqueuer too; this bounds a wait on another's claim.
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(30);

    private readonly Channel<bool> _wakes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _failures;

    // An alert the relay took whose sending could not be recorded yet: recorded before anything else is sent.
    private long? _unrecorded;

    public void Wake() => _wakes.Writer.TryWrite(true);

    /// <summary>Called by the enqueuer once the alerts' state is ready (a queue left from before alerts were off is gone).</summary>
    public void Started() => _started.TrySetResult();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        await _started.Task.WaitAsync(stoppingToken);

        // The first look at once: alerts queued before a restart go out now.
        var next = new Next(TimeSpan.Zero, Wakeable: false);
        while (!stoppingToken.IsCancellationRequested)
        {
            await WaitAsync(next, stoppingToken);
            next = await RoundAsync(stoppingToken);
        }
    }

    // A wait that a wake may cut short only where a wake can change what the next round does: never
    // while the interval runs or a failed send backs off, or every risky email would knock again.
    private async Task WaitAsync(Next next, CancellationToken stoppingToken)
    {
        if (!next.Wakeable)
        {
            if (next.Delay > TimeSpan.Zero)
            {
                await Task.Delay(next.Delay, time, stoppingToken);
            }

            _wakes.Reader.TryRead(out _);
            return;
        }

        using var timer = new CancellationTokenSource(next.Delay, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timer.Token);
        try
        {
            await _wakes.Reader.ReadAsync(either.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One look at the queue, and when to look next.</summary>
    private async Task<Next> RoundAsync(CancellationToken stoppingToken)
    {
        if (_unrecorded is { } through)
        {
            try
            {
                await store.SentAsync(through, CancellationToken.None);
                _unrecorded = null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.AlertRoundFailed(ex);
                return new Next(RetryDelays[0], Wakeable: false);
            }
        }

        AlertClaim? claim;
        try
        {
            claim = await store.TryClaimAsync(ClaimHold, stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.AlertRoundFailed(ex);
            return new Next(RetryDelays[0], Wakeable: false);
        }

        if (claim is null)
        {
            // Another instance is sending; it takes what is queued.
            return new Next(Recheck, Wakeable: true);
        }

        try
        {
            var interval = options.Value.Interval;
            if (claim.LastSentAt is { } last && claim.Now < last + (long)interval.TotalMilliseconds)
            {
                await store.ReleaseAsync(stoppingToken);
                return await HasPendingAsync(stoppingToken)
                    ? new Next(TimeSpan.FromMilliseconds(last + (long)interval.TotalMilliseconds - claim.Now), Wakeable: false)
                    : new Next(Recheck, Wakeable: true);
            }

            var pending = await store.PendingAsync(AlertMessages.Listed, stoppingToken);
            if (pending.Count == 0)
            {
                if (pending.Through > 0)
                {
                    await store.DiscardAsync(pending.Through, stoppingToken);
                }
                else
                {
                    await store.ReleaseAsync(stoppingToken);
                }

                return new Next(Recheck, Wakeable: true);
            }

            var since = claim.LastSentAt is { } previous ? DateTimeOffset.FromUnixTimeMilliseconds(previous) : (DateTimeOffset?)null;
            try
            {
                await mailer.SendAsync(AlertMessages.Compose(options.Value, pending, since), stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                if (_failures == 0)
                {
                    logger.AlertNotSent(ex.GetType().Name, ex.Message);
                }

                var delay = RetryDelays[Math.Min(_failures, RetryDelays.Length - 1)];
                _failures++;
                await ReleaseQuietlyAsync(stoppingToken);
                return new Next(delay, Wakeable: false);
            }

            // Sent: recorded even while the service stops, and if that fails, before anything else is sent.
            _unrecorded = pending.Through;
            await store.SentAsync(pending.Through, CancellationToken.None);
            _unrecorded = null;
            logger.AlertSent(pending.Count, options.Value.To.Length);
            if (_failures > 0)
            {
                logger.AlertsRecovered();
                _failures = 0;
            }

            return new Next(interval, Wakeable: false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.AlertRoundFailed(ex);
            await ReleaseQuietlyAsync(stoppingToken);
            return new Next(RetryDelays[0], Wakeable: false);
        }
    }

    // Hands the claim back at once rather than leave the other instances waiting for it to run out.
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (options.Value.Enabled)
        {
            await ReleaseQuietlyAsync(cancellationToken);
        }
    }

    private async Task<bool> HasPendingAsync(CancellationToken cancellationToken) =>
        (await store.PendingAsync(0, cancellationToken)).Through > 0;

    private readonly record struct Next(TimeSpan Delay, bool Wakeable);

    private async Task ReleaseQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.ReleaseAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The claim runs out on its own.
            logger.AlertRoundFailed(ex);
        }
    }
}
