using System.Diagnostics.Metrics;
using EmailMonitor.Mail;
using EmailMonitor.Security;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Observability;

/// <summary>The service's own instruments (CONTRACT §6), exported at <c>/metrics</c>.</summary>
internal sealed class ServiceMetrics
{
    public const string DefaultMeterName = "EmailMonitor";

    private readonly Counter<long> _emailsProcessed;
    private readonly Counter<long> _failedAuthentications;
    private readonly UpDownCounter<long> _activeConnections;
    private readonly Counter<long> _rateLimitsExceeded;
    private readonly Counter<long> _emailsFlagged;
    private readonly Histogram<double> _analysisDuration;
    private readonly Counter<long> _webhookAttempts;
    private readonly Counter<long> _ruleMatches;
    private readonly Counter<long> _pluginCalls;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Func<int>> _queues = new(StringComparer.Ordinal);
    private readonly MailboxStatusBoard _mailboxes;
    private readonly BlockList _blocks;
    private readonly TimeProvider _time;
    private readonly long _startedAt;
    private readonly EventsPerMinute _emailsPerMinute;
    private long _emailsTotal;
    private long _failedAuthenticationsTotal;
    private long _rateLimitsExceededTotal;
    private long _connections;

    // Per flag, for the history's charts; a plugin may bring flags of its own, so the names kept are bounded.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _flaggedTotals = new(StringComparer.Ordinal);
    private const int MaxFlagNames = 64;
    private const string OtherFlags = "other";

    public ServiceMetrics(IMeterFactory meterFactory, IOptions<ObservabilityOptions> options, MailboxStatusBoard mailboxes, BlockList blocks, TimeProvider time)
    {
        var meter = meterFactory.Create(options.Value.MeterName);
        var startedAt = time.GetTimestamp();
        _mailboxes = mailboxes;
        _blocks = blocks;
        _time = time;
        _startedAt = startedAt;
        _emailsPerMinute = new EventsPerMinute(time);

        _emailsProcessed = meter.CreateCounter<long>("email_monitor.emails.processed", description: "Emails analysed and stored");
        _failedAuthentications = meter.CreateCounter<long>("email_monitor.auth.failures", description: "Failed logins and rejected tokens");
        _activeConnections = meter.CreateUpDownCounter<long>("email_monitor.websocket.connections", description: "Open WebSocket connections");
        _rateLimitsExceeded = meter.CreateCounter<long>("email_monitor.rate_limits.exceeded", description: "Requests and messages refused for going over a rate limit");
        _emailsFlagged = meter.CreateCounter<long>("email_monitor.emails.flagged", description: "Emails analysed with a security flag, by flag (an email counts once per flag it has)");
        _analysisDuration = meter.CreateHistogram(
            "email_monitor.analysis.duration",
            unit: "s",
            description: "Time to analyse one email: parse, sanitize, inspect attachments, flag",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5] });
        _webhookAttempts = meter.CreateCounter<long>(
            "email_monitor.webhook.attempts", description: "Webhook delivery attempts made here, by webhook and outcome (delivered, failed: tried again later, dead: given up)");
        _ruleMatches = meter.CreateCounter<long>(
            "email_monitor.rule.matches", description: "Emails each rule matched here, by rule id (a suppressed email counts under the rule that suppressed it)");
        _pluginCalls = meter.CreateCounter<long>(
            "email_monitor.plugin.calls", description: "Calls of each plugin, by outcome: ok, failed (threw), timeout, skipped (still in a call that timed out)");
        meter.CreateObservableGauge("email_monitor.pipeline.queued", () => _queues.Select(
            q => new Measurement<int>(q.Value(), new KeyValuePair<string, object?>("stage", q.Key))), description: "Emails waiting between the pipeline's stages, by the stage they wait for (analysis, storage): a backlog that grows means mail arrives faster than it is handled");
        meter.CreateObservableGauge("email_monitor.ips.blocked", () => blocks.Count, description: "Addresses blocked right now, automatically or by an administrator");
        meter.CreateObservableGauge("email_monitor.uptime", () => time.GetElapsedTime(startedAt).TotalSeconds, unit: "s", description: "Seconds since start");
        meter.CreateObservableGauge("email_monitor.mailbox.connected", () => mailboxes.Snapshot().Select(
            f => new Measurement<int>(f.State == FolderState.Watching ? 1 : 0, FolderTags(f))), description: "1 while the folder is connected and watched");
        meter.CreateObservableGauge("email_monitor.mailbox.last_uid", () => mailboxes.Snapshot().Select(
            f => new Measurement<long>(f.LastUid, FolderTags(f))), description: "Highest UID handed to processing");
        meter.CreateObservableGauge("email_monitor.mailbox.auth_failed", () => mailboxes.Snapshot().Select(
            f => new Measurement<int>(f.State == FolderState.AuthFailed ? 1 : 0, FolderTags(f))), description: "1 while the server refuses the folder's login (a wrong password, a revoked OAuth2 grant)");
        meter.CreateObservableGauge("email_monitor.mailbox.paused", () => mailboxes.Snapshot().Select(
            f => new Measurement<int>(f.State == FolderState.Paused ? 1 : 0, FolderTags(f))), description: "1 while an administrator has paused the folder's mailbox");
    }

    public void EmailsProcessed(int count)
    {
        if (count > 0)
        {
            _emailsProcessed.Add(count);
            Interlocked.Add(ref _emailsTotal, count);
            _emailsPerMinute.Add(count);
        }
    }

    /// <summary>Counts a webhook attempt: <c>delivered</c>, <c>failed</c> (tried again later) or <c>dead</c> (given up; an administrator can send it again).</summary>
    public void WebhookAttempt(long webhook, string outcome) =>
        _webhookAttempts.Add(1, new KeyValuePair<string, object?>("webhook", webhook), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>Reports how many emails wait for <paramref name="stage"/>, read at each scrape.</summary>
    public void WatchQueue(string stage, Func<int> depth) => _queues[stage] = depth;

    public void PluginCall(string plugin, string outcome) =>
        _pluginCalls.Add(1, new KeyValuePair<string, object?>("plugin", plugin), new KeyValuePair<string, object?>("outcome", outcome));

    public void RuleMatched(long rule) => _ruleMatches.Add(1, new KeyValuePair<string, object?>("rule", rule));

    /// <summary>Counts an analysed email once under each of its flags, so alerts can watch one kind of threat.</summary>
    public void EmailFlagged(IReadOnlyList<string> flags)
    {
        foreach (var flag in flags)
        {
            _emailsFlagged.Add(1, new KeyValuePair<string, object?>("flag", flag));
            var name = _flaggedTotals.ContainsKey(flag) || _flaggedTotals.Count < MaxFlagNames ? flag : OtherFlags;
            _flaggedTotals.AddOrUpdate(name, 1, (_, count) => count + 1);
        }
    }

    public void EmailAnalysed(TimeSpan took) => _analysisDuration.Record(took.TotalSeconds);

    public void AuthenticationFailed(string reason)
    {
        _failedAuthentications.Add(1, new KeyValuePair<string, object?>("reason", reason));
        Interlocked.Increment(ref _failedAuthenticationsTotal);
    }

    public void RateLimitExceeded(string where)
    {
        _rateLimitsExceeded.Add(1, new KeyValuePair<string, object?>("where", where));
        Interlocked.Increment(ref _rateLimitsExceededTotal);
    }

    public void ConnectionOpened()
    {
        _activeConnections.Add(1);
        Interlocked.Increment(ref _connections);
    }

    public void ConnectionClosed()
    {
        _activeConnections.Add(-1);
        Interlocked.Decrement(ref _connections);
    }

    /// <summary>The counters since start and the gauges now, for <see cref="StatsHistory"/>.</summary>
    public StatsSample Sample() => new(
        At: _time.GetUtcNow(),
        ActiveConnections: Interlocked.Read(ref _connections),
        EmailsProcessed: Interlocked.Read(ref _emailsTotal),
        RateLimitsExceeded: Interlocked.Read(ref _rateLimitsExceededTotal),
        BlockedIps: _blocks.Count,
        FailedAuthentications: Interlocked.Read(ref _failedAuthenticationsTotal),
        FlaggedByFlag: new Dictionary<string, long>(_flaggedTotals, StringComparer.Ordinal));

    /// <summary>The same figures as /metrics, as one object for <c>/api/stats</c>.</summary>
    public ServiceStats Snapshot() => new(
        ActiveConnections: Interlocked.Read(ref _connections),
        EmailsProcessed: Interlocked.Read(ref _emailsTotal),
        EmailsPerMinute: _emailsPerMinute.LastMinute(),
        RateLimitsExceeded: Interlocked.Read(ref _rateLimitsExceededTotal),
        BlockedIps: _blocks.Count,
        FailedAuthentications: Interlocked.Read(ref _failedAuthenticationsTotal),
        UptimeSeconds: (long)_time.GetElapsedTime(_startedAt).TotalSeconds,
        Mailboxes: [.. _mailboxes.Snapshot().Select(f => new MailboxStats(
            f.Folder.Mailbox, f.Folder.Folder, f.State.Name(), f.LastUid, f.LastConnectedAt))]);

    private static KeyValuePair<string, object?>[] FolderTags(FolderStatus status) =>
    [
        new("mailbox", status.Folder.Mailbox),
        new("folder", status.Folder.Folder),
    ];
}
