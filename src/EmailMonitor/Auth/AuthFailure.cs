namespace EmailMonitor.Auth;

/// <summary>Why authentication did not succeed; each maps to one error code of CONTRACT §4.</summary>
internal enum AuthFailure
{
    AuthFailed,
    AccountLocked,
    InvalidToken,
    TokenExpired,
    TokenRevoked,
    RateLimited,
}
