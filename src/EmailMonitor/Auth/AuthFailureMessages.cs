namespace EmailMonitor.Auth;

/// <summary>
/// The error code of CONTRACT §4 and the human-readable message for each authentication failure,
/// the same on the WebSocket (<c>error</c>) and in the REST API (problem details <c>code</c>).
/// </summary>
internal static class AuthFailureMessages
{
    public static (string Code, string Message) For(AuthFailure failure) => failure switch
    {
        AuthFailure.AuthFailed => ("auth_failed", "Invalid username or password."),
        AuthFailure.AccountLocked => ("account_locked", "The account is locked after too many failed logins; try again later."),
        AuthFailure.InvalidToken => ("invalid_token", "The token is not valid."),
        AuthFailure.TokenExpired => ("token_expired", "The token has expired; refresh it and authenticate again."),
        AuthFailure.RateLimited => ("rate_limited", "Too many login attempts from this address; wait a minute."),
        _ => ("token_revoked", "The token has been revoked; log in again."),
    };
}
