namespace EmailMonitor.Auth;

internal sealed record UserAccount(string Username, string PasswordHash, string Role, bool Disabled);
