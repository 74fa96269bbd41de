using System.Diagnostics.Metrics;
using EmailMonitor.Mail;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Observability;

/// <summary>The service's own instruments (CONTRACT §6), exported at <c>/metrics</c>.</summary>
internal sealed class ServiceMetrics
{
    public const string DefaultMeterName = "EmailMonitor";

    private readonly Counter<long> _emailsProcessed;
    private readonly Counter<long> _failedAuthentications;
    private readonly UpDownCounter<long> _activeConnections;

    public ServiceMetrics(IMeterFactory meterFactory, IOptions<ObservabilityOptions> options, MailboxStatusBoard mailboxes, TimeProvider time)
    {
        var meter = meterFactory.Create(options.Value.MeterName);
        var startedAt = time.GetTimestamp();

        _emailsProcessed = meter.CreateCounter<long>("email_monitor.emails.processed", description: "Emails analysed and stored");
        _failedAuthentications = meter.CreateCounter<long>("email_monitor.auth.failures", description: "Failed logins and rejected tokens");
        _activeConnections = meter.CreateUpDownCounter<long>("email_monitor.websocket.connections", description: "Open WebSocket connections");
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

    public void ConnectionOpened() => _activeConnections.Add(1);

    public void ConnectionClosed() => _activeConnections.Add(-1);

    private static KeyValuePair<string, object?>[] FolderTags(FolderStatus status) =>
    [
        new("mailbox", status.Folder.Mailbox),
        new("folder", status.Folder.Folder),
    ];
}
