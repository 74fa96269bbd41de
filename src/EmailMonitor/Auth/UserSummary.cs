namespace EmailMonitor.Auth;

/// <summary>What an administrator sees of an account (never its password hash), with the mailboxes it sees (null: all).</summary>
internal sealed record UserSummary(string Username, string Role, bool Disabled, DateTimeOffset CreatedAt, IReadOnlyList<string>? Mailboxes);
