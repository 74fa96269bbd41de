using EmailMonitor.Auth;
using EmailMonitor.Realtime;
using EmailMonitor.Security;

namespace EmailMonitor.Cluster;

/// <summary>
/// Puts into force here what other instances decided while their word could not reach this one
/// (Redis down, or this instance cut off from it): the database holds every decision, so the
/// blocks in force become those stored, and each open connection is checked against its login
/// (revoked or logged out), its account (removed or disabled) and its role, as it would be at its
/// next authentication; and which mailboxes each viewer sees is read again.
/// </summary>
internal sealed class MissedDecisions(
    BlockList blocks, ConnectionRegistry connections, UserStore users, RefreshTokenStore refreshTokens, MailboxAccess access, ILogger<MissedDecisions> logger)
{
    // A block or lift made here this recently may still be on its way to the database.
    private static readonly TimeSpan Settling = TimeSpan.FromSeconds(10);

    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        var (blocked, lifted) = await blocks.ReloadAsync(Settling, cancellationToken);
        await access.ReloadAsync(cancellationToken);

        var signedIn = connections.Snapshot().Where(connection => connection.User is not null).ToList();
        var revoked = await refreshTokens.RevokedAmongAsync([.. signedIn.Select(c => c.User!.SessionId).Distinct(StringComparer.Ordinal)], cancellationToken);
        var closed = signedIn.Count(c => revoked.Contains(c.User!.SessionId));
        foreach (var session in revoked)
        {
            // Logged out or revoked, the database does not say which: either way the client signs in again.
            connections.CloseLogin(session, LoginEnd.Revoked);
        }

        foreach (var group in signedIn.Where(c => !revoked.Contains(c.User!.SessionId)).GroupBy(c => c.User!.Username, StringComparer.OrdinalIgnoreCase))
        {
            var account = await users.FindAsync(group.Key, cancellationToken);
            if (account is null || account.Disabled)
            {
                connections.CloseUser(group.Key);
                closed += group.Count();
            }
            else if (group.Any(c => !string.Equals(c.User!.Role, account.Role, StringComparison.Ordinal)))
            {
                connections.CloseUser(group.Key, "role changed");
                closed += group.Count();
            }
        }

        logger.CaughtUp(blocked, lifted, closed);
    }
}
