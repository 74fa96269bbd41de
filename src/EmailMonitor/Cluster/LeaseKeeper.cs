using EmailMonitor.Mail;
using EmailMonitor.Mailboxes;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Cluster;

/// <summary>
/// Keeps each mailbox watched by exactly one instance of those sharing the database: renews this
/// instance's leases every few seconds, stops a mailbox at once when its lease has passed on, takes
/// leases that ran out (an instance died: within <see cref="ClusterOptions.LeaseDuration"/> plus
/// one round), spreads mailboxes evenly over the instances alive, hands its leases back when it
/// shuts down, applies changes other instances made to the mailboxes, and reports the state of the
/// folders it watches for the others to show.
/// </summary>
internal sealed class LeaseKeeper(
    MailboxRegistry registry, MailboxLeases leases, MailboxStatusBoard board, IOptions<ClusterOptions> options, TimeProvider time, ILogger<LeaseKeeper> logger)
    : BackgroundService
{
    // What was last reported of each mailbox held, under which token: only a change is written.
    private readonly Dictionary<string, (long Token, string Report)> _reported = new(StringComparer.Ordinal);

    private long _renewedAt;
    private bool _firstRound = true;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!registry.Leased)
        {
            return;
        }

        _renewedAt = time.GetTimestamp();
        var watchdog = WatchdogAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.LeaseRenewal, time);
        do
        {
            try
            {
                await RoundAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Leases not renewed run out and another instance takes them: nothing is watched twice.
                logger.LeaseRoundFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
        await watchdog;
    }

    // A round that cannot renew (the database unreachable from here, a statement hanging) must not
    // leave sources running past the lease: before another instance may take it, this one stops.
    private async Task WatchdogAsync(CancellationToken stoppingToken)
    {
        var margin = options.Value.LeaseRenewal;
        var limit = options.Value.LeaseDuration - margin;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                var since = time.GetElapsedTime(Interlocked.Read(ref _renewedAt));
                if (since < limit)
                {
                    continue;
                }

                foreach (var mailbox in registry.Owned().Keys)
                {
                    logger.LeaseExpiring(mailbox, Math.Round(since.TotalSeconds));
                    await registry.DisownAsync(mailbox, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!registry.Leased)
        {
            return;
        }

        // Hand-off: sources stop first, then the leases go back, so the next owner starts at once
        // from the checkpoints this one committed.
        try
        {
            foreach (var mailbox in registry.Owned().Keys)
            {
                await registry.DisownAsync(mailbox, cancellationToken);
            }

            await leases.ReleaseAsync(null, cancellationToken);
            await leases.LeaveAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LeaseRoundFailed(ex);
        }
    }

    private async Task RoundAsync(CancellationToken cancellationToken)
    {
        await LeasesAsync(cancellationToken);
        // After the leases, so a mailbox just taken is reported at once.
        await ReportAsync(cancellationToken);
    }

    private async Task LeasesAsync(CancellationToken cancellationToken)
    {
        // Renewed first: nothing slower (a mailbox stopping, a change applied) may cost the leases.
        var (alive, twin) = await leases.HeartbeatAsync(cancellationToken);
        if (twin && !_firstRound)
        {
            logger.DuplicateInstance(leases.Instance);
        }

        _firstRound = false;
        // Timed from before the renewal: the lease runs from a moment after this one.
        var renewing = time.GetTimestamp();
        var held = await leases.RenewAsync(cancellationToken);
        Interlocked.Exchange(ref _renewedAt, renewing);
        var owned = registry.Owned();
        foreach (var (mailbox, token) in owned)
        {
            if (!held.TryGetValue(mailbox, out var current) || current != token)
            {
                logger.LeaseLost(mailbox, token);
                await registry.DisownAsync(mailbox, cancellationToken);
            }
        }

        await registry.SyncAsync(cancellationToken);
        var wanted = registry.List().Where(m => !m.Paused).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var mailbox in held.Keys.Where(m => !wanted.Contains(m)))
        {
            await registry.DisownAsync(mailbox, cancellationToken);
            await leases.ReleaseAsync(mailbox, cancellationToken);
        }

        owned = registry.Owned();
        foreach (var mailbox in held.Keys.Where(m => wanted.Contains(m) && !owned.ContainsKey(m)))
        {
            if (await leases.AdoptAsync(mailbox, cancellationToken) is { } token)
            {
                await registry.OwnAsync(mailbox, token, cancellationToken);
                logger.LeaseTaken(mailbox, token);
            }
        }

        var mine = registry.Owned().Keys.Where(wanted.Contains).ToList();
        var fairShare = (wanted.Count + alive - 1) / alive;
        if (mine.Count > fairShare)
        {
            // One at a time, so a joining instance is not handed everything and handed it back.
            var surplus = mine.Order(StringComparer.Ordinal).Last();
            await registry.DisownAsync(surplus, cancellationToken);
            await leases.ReleaseAsync(surplus, cancellationToken);
            logger.LeaseHandedOver(surplus, alive);
            return;
        }

        foreach (var mailbox in wanted.Where(m => !mine.Contains(m)).Order(StringComparer.Ordinal))
        {
            if (mine.Count >= fairShare)
            {
                break;
            }

            if (await leases.TryTakeAsync(mailbox, cancellationToken) is { } token)
            {
                await registry.OwnAsync(mailbox, token, cancellationToken);
                mine.Add(mailbox);
                logger.LeaseTaken(mailbox, token);
            }
        }
    }

    private async Task ReportAsync(CancellationToken cancellationToken)
    {
        var owned = registry.Owned();
        foreach (var gone in _reported.Keys.Where(mailbox => !owned.ContainsKey(mailbox)).ToList())
        {
            _reported.Remove(gone);
        }

        var statuses = board.Snapshot();
        foreach (var (mailbox, token) in owned)
        {
            var report = MailboxWatcher.Report(statuses.Where(s => s.Folder.Mailbox == mailbox));
            if (_reported.GetValueOrDefault(mailbox) != (token, report))
            {
                await leases.ReportAsync(mailbox, token, report, cancellationToken);
                _reported[mailbox] = (token, report);
            }
        }
    }
}
