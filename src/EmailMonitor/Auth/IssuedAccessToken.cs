namespace EmailMonitor.Auth;

internal sealed record IssuedAccessToken(string Token, DateTimeOffset ExpiresAt);
