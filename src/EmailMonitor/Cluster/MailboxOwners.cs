using EmailMonitor.Mailboxes;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Cluster;

/// <summary>Which instance watches each mailbox: the lease holders on a shared database, this instance otherwise.</summary>
internal sealed class MailboxOwners(MailboxRegistry registry, MailboxLeases leases, IOptions<ClusterOptions> options)
{
    public async Task<IReadOnlyDictionary<string, string>> OwnersAsync(CancellationToken cancellationToken)
    {
        if (registry.Leased)
        {
            return await leases.OwnersAsync(cancellationToken);
        }

        var instance = options.Value.ResolvedInstanceId;
        return registry.List().Where(m => !m.Paused).ToDictionary(m => m.Name, _ => instance, StringComparer.Ordinal);
    }
}
