using EmailMonitor.Auth;

namespace EmailMonitor.Realtime;

/// <summary>The error codes of CONTRACT §4 and the human-readable message sent with each.</summary>
internal static class ErrorCodes
{
    public const string AuthRequired = "auth_required";
    public const string AuthFailed = "auth_failed";
    public const string AccountLocked = "account_locked";
    public const string InvalidToken = "invalid_token";
    public const string TokenExpired = "token_expired";
    public const string TokenRevoked = "token_revoked";
    public const string RateLimited = "rate_limited";
    public const string InvalidMessage = "invalid_message";
    public const string Forbidden = "forbidden";

    public static (string Code, string Message) For(AuthFailure failure) => failure switch
    {
        AuthFailure.AuthFailed => (AuthFailed, "Invalid username or password."),
        AuthFailure.AccountLocked => (AccountLocked, "The account is locked after too many failed logins; try again later."),
        AuthFailure.InvalidToken => (InvalidToken, "The token is not valid."),
        AuthFailure.TokenExpired => (TokenExpired, "The token has expired; refresh it and authenticate again."),
        AuthFailure.RateLimited => (RateLimited, "Too many login attempts from this address; wait a minute."),
        _ => (TokenRevoked, "The token has been revoked; log in again."),
    };
}
