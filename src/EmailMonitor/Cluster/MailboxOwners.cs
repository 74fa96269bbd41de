using EmailMonitor.Mailboxes;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Cluster;

/// <summary>
/// Which instance watches each mailbox: the lease holders on a shared database (with their folders
/// as they reported them), this instance otherwise (its own folders are on its status board).
/// </summary>
internal sealed class MailboxOwners(MailboxRegistry registry, MailboxLeases leases, IOptions<ClusterOptions> options)
{
    public async Task<IReadOnlyDictionary<string, MailboxWatcher>> OwnersAsync(CancellationToken cancellationToken)
    {
        if (registry.Leased)
        {
            return await leases.OwnersAsync(cancellationToken);
        }

        var here = new MailboxWatcher(options.Value.ResolvedInstanceId, []);
        return registry.List().Where(m => !m.Paused).ToDictionary(m => m.Name, _ => here, StringComparer.Ordinal);
    }
}
