using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Security.Claims;

namespace EmailMonitor.Auth;

/// <summary>
/// Which mailboxes each user may see (CONTRACT §7): administrators and users without a list see
/// all; a viewer with a list sees only those, over the WebSocket, in <c>resume</c> and over REST.
/// Held in memory (the whole table is loaded at start and every change goes through here), so the
/// check on each delivered event is a lookup, and a change applies to open connections at once.
/// </summary>
internal sealed class MailboxAccess(UserStore users)
{
    private readonly ConcurrentDictionary<string, FrozenSet<string>> _limited = new(StringComparer.OrdinalIgnoreCase);

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        foreach (var (username, mailboxes) in await users.ListMailboxLimitsAsync(cancellationToken))
        {
            _limited[username] = mailboxes.ToFrozenSet(StringComparer.Ordinal);
        }
    }

    /// <summary>The mailboxes <paramref name="username"/> may see; null when all.</summary>
    public IReadOnlySet<string>? Visible(string username, string role) =>
        role != Roles.Admin && _limited.TryGetValue(username, out var mailboxes) ? mailboxes : null;

    public bool Allows(string username, string role, string mailbox) =>
        Visible(username, role) is not { } visible || visible.Contains(mailbox);

    /// <summary>The mailboxes the signed-in <paramref name="user"/> of a REST request may see; null when all.</summary>
    public IReadOnlySet<string>? Visible(ClaimsPrincipal user) =>
        Visible(user.Identity?.Name ?? string.Empty, user.FindFirstValue(ClaimTypes.Role) ?? Roles.Viewer);

    public bool Allows(ClaimsPrincipal user, string mailbox) => Visible(user) is not { } visible || visible.Contains(mailbox);

    /// <summary>Raised with the user whose list was changed here, for the other instances to read it again.</summary>
    public event Action<string>? ChangedHere;

    /// <summary>Reads every list again, for when another instance changed one.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var stored = await users.ListMailboxLimitsAsync(cancellationToken);
        var names = stored.Select(entry => entry.Username).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (username, mailboxes) in stored)
        {
            _limited[username] = mailboxes.ToFrozenSet(StringComparer.Ordinal);
        }

        foreach (var username in _limited.Keys.Where(name => !names.Contains(name)))
        {
            _limited.TryRemove(username, out _);
        }
    }

    /// <summary>Records a user's new list (null: all), after it was stored.</summary>
    public void Changed(string username, IReadOnlyList<string>? mailboxes)
    {
        if (mailboxes is null)
        {
            _limited.TryRemove(username, out _);
        }
        else
        {
            _limited[username] = mailboxes.ToFrozenSet(StringComparer.Ordinal);
        }

        ChangedHere?.Invoke(username);
    }
}
