using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EmailMonitor.Mail;

/// <summary>
/// Every watched folder's state. A folder that is not connected makes the service degraded, not
/// unready: stored events and the API still serve, and the folder reconnects by itself. Anyone
/// may ask, so it says whether each folder is up and nothing of the account, the server or the
/// error (an administrator reads those in /api/admin/mailboxes).
/// </summary>
internal sealed class MailboxHealthCheck(MailboxStatusBoard board) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var folders = board.Snapshot();
        var data = new Dictionary<string, object>
        {
            ["folders"] = folders.Select(f => new FolderHealth(
                f.Folder.Mailbox, f.Folder.Folder, f.State.Name(), f.IdleSupported, f.LastUid, f.LastConnectedAt)).ToList(),
        };

        // A paused mailbox is an administrator's choice, not a fault; another instance answers for its own.
        var down = folders.Count(f => f.State is not (FolderState.Watching or FolderState.Paused or FolderState.Elsewhere));
        var result = down == 0
            ? HealthCheckResult.Healthy($"{folders.Count} folders watched", data)
            : HealthCheckResult.Degraded($"{down} of {folders.Count} folders not connected", data: data);
        return Task.FromResult(result);
    }

    private sealed record FolderHealth(
        string Mailbox, string Folder, string State, bool Idle, uint LastUid, DateTimeOffset? LastConnectedAt);
}
