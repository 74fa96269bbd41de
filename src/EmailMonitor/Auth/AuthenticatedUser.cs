namespace EmailMonitor.Auth;

/// <summary>Who a connection or request acts as, and until when; <see cref="SessionId"/> names the login (refresh-token family).</summary>
internal sealed record AuthenticatedUser(string Username, string Role, string SessionId, DateTimeOffset ExpiresAt);
