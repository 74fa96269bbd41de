using System.Net;
using EmailMonitor.Security;

namespace EmailMonitor.Auth;

/// <summary>
/// What administrators may do to accounts, with the rules that keep the service usable and safe:
/// names and passwords meet the same rules as everywhere, the last enabled administrator cannot
/// be removed, demoted or disabled, and an account whose password changes or that is disabled or
/// removed loses every login at once (its refresh and access tokens, and its open connections).
/// </summary>
internal sealed class UserAdministration(
    UserStore users, RefreshTokenStore refreshTokens, LoginThrottle throttle, MailboxAccess mailboxAccess, SecurityLog securityLog, TimeProvider time)
{
    public const int MinPasswordLength = AuthOptionsValidator.MinProductionPasswordLength;

    /// <summary>Raised with a user name when that user's open connections must end.</summary>
    public event Action<string>? LoginsRevoked;

    /// <summary>Raised with a user name when that user's role changed, so open connections authenticate again.</summary>
    public event Action<string>? RoleChanged;

    public Task<IReadOnlyList<UserSummary>> ListAsync(CancellationToken cancellationToken) => users.ListAsync(null, cancellationToken);

    public async Task<UserSummary?> FindAsync(string username, CancellationToken cancellationToken) =>
        (await users.ListAsync(username, cancellationToken)).SingleOrDefault();

    public async Task<(UserChange Outcome, string? Problem)> CreateAsync(
        string? username, string? password, string? role, MailboxList? mailboxes, AuditContext by, CancellationToken cancellationToken)
    {
        if ((NameProblem(username) ?? PasswordProblem(password) ?? RoleProblem(role)) is { } problem)
        {
            return (UserChange.Invalid, problem);
        }

        if (await users.FindAsync(username!, cancellationToken) is not null)
        {
            return (UserChange.Exists, "A user with this name exists.");
        }

        await users.CreateAsync(username!, PasswordHasher.Hash(password!), role!, time.GetUtcNow(), cancellationToken);
        if (mailboxes?.Names is not null)
        {
            await users.UpdateAsync(username!, null, null, null, mailboxes, cancellationToken);
            mailboxAccess.Changed(username!, mailboxes.Names);
        }

        securityLog.UserChanged(by.Ip, by.Username, $"created {username} as {role}{(mailboxes?.Names is { } names ? $", sees mailboxes [{string.Join(", ", names)}]" : string.Empty)}");
        return (UserChange.Done, null);
    }

    public async Task<(UserChange Outcome, string? Problem)> UpdateAsync(
        string username, string? role, string? password, bool? disabled, MailboxList? mailboxes, AuditContext by, CancellationToken cancellationToken)
    {
        if (role is null && password is null && disabled is null && mailboxes is null)
        {
            return (UserChange.Invalid, "Nothing to change: give 'role', 'password', 'disabled' or 'mailboxes'.");
        }

        if (((role is null ? null : RoleProblem(role)) ?? (password is null ? null : PasswordProblem(password))) is { } problem)
        {
            return (UserChange.Invalid, problem);
        }

        var outcome = await users.UpdateAsync(username, role, password is null ? null : PasswordHasher.Hash(password), disabled, mailboxes, cancellationToken);
        if (outcome != UserChange.Done)
        {
            return (outcome, null);
        }

        if (mailboxes is not null)
        {
            mailboxAccess.Changed(username, mailboxes.Names);
        }

        var changes = new List<string>();
        if (role is not null)
        {
            changes.Add($"role {role}");
        }

        if (password is not null)
        {
            changes.Add("password");
        }

        if (disabled is { } d)
        {
            changes.Add(d ? "disabled" : "enabled");
        }

        if (mailboxes is not null)
        {
            changes.Add(mailboxes.Names is { } names ? $"sees mailboxes [{string.Join(", ", names)}]" : "sees all mailboxes");
        }

        securityLog.UserChanged(by.Ip, by.Username, $"changed {username}: {string.Join(", ", changes)}");
        if (password is not null)
        {
            // A new password also ends every lockout of the name.
            throttle.Reset(username);
        }

        if (password is not null || disabled == true)
        {
            await RevokeLoginsAsync(username, cancellationToken);
        }
        else if (role is not null)
        {
            // An open connection holds the role it authenticated with; closed, the client comes back
            // with its token and gets the account's new role (REST reads it on every request).
            RoleChanged?.Invoke(username);
        }

        return (UserChange.Done, null);
    }

    /// <summary>Takes a removed mailbox out of every user's list (a user left with none sees nothing).</summary>
    public async Task ForgetMailboxAsync(string mailbox, CancellationToken cancellationToken)
    {
        foreach (var (username, mailboxes) in await users.ListMailboxLimitsAsync(cancellationToken))
        {
            if (mailboxes.Contains(mailbox, StringComparer.Ordinal))
            {
                var remaining = mailboxes.Where(m => m != mailbox).ToList();
                await users.UpdateAsync(username, null, null, null, new MailboxList(remaining), cancellationToken);
                mailboxAccess.Changed(username, remaining);
            }
        }
    }

    public async Task<UserChange> DeleteAsync(string username, AuditContext by, CancellationToken cancellationToken)
    {
        var outcome = await users.DeleteAsync(username, cancellationToken);
        if (outcome == UserChange.Done)
        {
            securityLog.UserChanged(by.Ip, by.Username, $"removed {username}");
            // Connections end before the limit is forgotten, never the other way round (forgotten means "all").
            await RevokeLoginsAsync(username, cancellationToken);
            mailboxAccess.Changed(username, null);
        }

        return outcome;
    }

    /// <summary>A user's "sign out everywhere": every login of theirs ends, as a new password would end them.</summary>
    public async Task EndLoginsAsync(string username, System.Net.IPAddress? ip, CancellationToken cancellationToken)
    {
        securityLog.UserChanged(ip, username, $"{username} signed out everywhere");
        await RevokeLoginsAsync(username, cancellationToken);
    }

    private async Task RevokeLoginsAsync(string username, CancellationToken cancellationToken)
    {
        await refreshTokens.RevokeUserAsync(username, cancellationToken);
        LoginsRevoked?.Invoke(username);
    }

    private static string? NameProblem(string? username) =>
        UserNames.IsValid(username) ? null : $"'username' must be {UserNames.Rule}.";

    private static string? PasswordProblem(string? password) =>
        password is { Length: >= MinPasswordLength and <= AuthService.MaxPasswordLength }
            ? null
            : $"'password' must be {MinPasswordLength} to {AuthService.MaxPasswordLength} characters.";

    private static string? RoleProblem(string? role) =>
        Roles.IsKnown(role) ? null : $"'role' must be '{Roles.Admin}' or '{Roles.Viewer}'.";
}

/// <summary>Who made a change, for the security log.</summary>
internal sealed record AuditContext(IPAddress? Ip, string? Username);
