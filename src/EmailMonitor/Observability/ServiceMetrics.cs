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

    public ServiceMetrics(IMeterFactory meterFactory, IOptions<ObservabilityOptions> options, MailboxStatusBoard mailboxes, BlockList blocks, TimeProvider time)
    {
        var meter = meterFactory.Create(options.Value.MeterName);
        var startedAt = time.GetTimestamp();

        _emailsProcessed = meter.CreateCounter<long>("email_monitor.emails.processed", description: "Emails analysed and stored");
        _failedAuthentications = meter.CreateCounter<long>("email_monitor.auth.failures", description: "Failed logins and rejected tokens");
        _activeConnections = meter.CreateUpDownCounter<long>("email_monitor.websocket.connections", description: "Open WebSocket connections");
        _rateLimitsExceeded = meter.CreateCounter<long>("email_monitor.rate_limits.exceeded", description: "Requests and messages refused for going over a rate limit");
        meter.CreateObservableGauge("email_monitor.ips.blocked", () => blocks.Count, description: "Addresses blocked right now, automatically or by an administrator");
        meter.CreateObservableGauge("email_monitor.uptime", () => time.GetElapsedTime(startedAt).TotalSeconds, unit: "s", description: "Seconds since start");
        meter.CreateObservableGauge("email_monitor.mailbox.connected", () => mailboxes.Snapshot().Select(
            f => new Measurement<int>(f.State == FolderState.Watching ? 1 : 0, FolderTags(f))), description: "1 while the folder is connected and watched");
        meter.CreateObservableGauge("email_monitor.mailbox.last_uid", () => mailboxes.Snapshot().Select(
            f => new Measurement<long>(f.LastUid, FolderTags(f))), description: "Highest UID handed to processing");
    }

    public void EmailsProcessed(int count)
    {
        if (count > 0)
        {
            _emailsProcessed.Add(count);
        }
    }

    public void AuthenticationFailed(string reason) =>
        _failedAuthentications.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void RateLimitExceeded(string where) =>
        _rateLimitsExceeded.Add(1, new KeyValuePair<string, object?>("where", where));

    public void ConnectionOpened() => _activeConnections.Add(1);

    public void ConnectionClosed() => _activeConnections.Add(-1);

    private static KeyValuePair<string, object?>[] FolderTags(FolderStatus status) =>
    [
        new("mailbox", status.Folder.Mailbox),
        new("folder", status.Folder.Folder),
    ];
}
