namespace EmailMonitor.Auth;

/// <summary>What an administrator sees of an account: never its password hash.</summary>
internal sealed record UserSummary(string Username, string Role, bool Disabled, DateTimeOffset CreatedAt);
