namespace EmailMonitor.Realtime;

/// <summary>
/// The frame types of CONTRACT §4, each way. docs/asyncapi.yaml documents exactly these (a test
/// holds the two together).
/// </summary>
internal static class MessageTypes
{
    public const string Login = "login";
    public const string TokenAuth = "token_auth";
    public const string RefreshToken = "refresh_token";
    public const string Ping = "ping";
    public const string Resume = "resume";
    public const string Logout = "logout";

    public const string AuthSuccess = "auth_success";
    public const string TokenRefreshed = "token_refreshed";
    public const string Pong = "pong";
    public const string NewEmail = "new_email";
    public const string ResumeComplete = "resume_complete";
    public const string Error = "error";

    public static readonly IReadOnlyList<string> FromClients = [Login, TokenAuth, RefreshToken, Ping, Resume, Logout];

    public static readonly IReadOnlyList<string> ToClients = [AuthSuccess, TokenRefreshed, Pong, NewEmail, ResumeComplete, Error];
}
