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

    public static (string Code, string Message) For(AuthFailure failure) => AuthFailureMessages.For(failure);
}
