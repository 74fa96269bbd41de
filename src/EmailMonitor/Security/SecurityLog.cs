using System.Net;

namespace EmailMonitor.Security;

/// <summary>
/// Security events (CONTRACT §6), written under their own category so they land in
/// <c>security.log</c> as JSON lines with <c>event</c>, <c>ip</c>, <c>username</c> and <c>reason</c>.
/// Never given a password, token or message body; names from clients are cut and cleaned first.
/// </summary>
internal sealed partial class SecurityLog(ILoggerFactory loggerFactory)
{
    public const string Category = "EmailMonitor.Security";
    private const int MaxUsernameLength = 64;

    private readonly ILogger _logger = loggerFactory.CreateLogger(Category);

    public void LoginSucceeded(IPAddress? ip, string username) => LoginSucceeded(_logger, "login_success", Show(ip), Clean(username));

    public void LoginFailed(IPAddress? ip, string username, string reason) => LoginFailed(_logger, "login_failed", Show(ip), Clean(username), reason);

    public void AccountLocked(IPAddress? ip, string username, DateTimeOffset until) => AccountLocked(_logger, "account_locked", Show(ip), Clean(username), until);

    public void TokenRejected(IPAddress? ip, string? username, string reason) => TokenRejected(_logger, "invalid_token", Show(ip), Clean(username), reason);

    public void RefreshTokenReused(IPAddress? ip, string username) => RefreshTokenReused(_logger, "refresh_token_reuse", Show(ip), Clean(username), "a retired refresh token was presented again; every token of that login is revoked");

    public void InvalidMessage(IPAddress? ip, string? username, string reason) => InvalidMessage(_logger, "invalid_message", Show(ip), Clean(username), reason);

    public void AuthenticationTimeout(IPAddress? ip) => AuthenticationTimeout(_logger, "auth_timeout", Show(ip), "no authentication within the deadline");

    public void ConnectionRefused(IPAddress? ip, string reason) => ConnectionRefused(_logger, "connection_refused", Show(ip), reason);

    private static string Show(IPAddress? ip) => ip?.ToString() ?? "unknown";

    // A client-chosen name must not forge log lines or flood the log.
    private static string Clean(string? username)
    {
        if (string.IsNullOrEmpty(username))
        {
            return string.Empty;
        }

        var cut = username.Length > MaxUsernameLength ? username[..MaxUsernameLength] : username;
        return string.Create(cut.Length, cut, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "{Event}: {Username} logged in from {Ip}")]
    private static partial void LoginSucceeded(ILogger logger, string @event, string ip, string username);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "{Event}: login as {Username} from {Ip} failed: {Reason}")]
    private static partial void LoginFailed(ILogger logger, string @event, string ip, string username, string reason);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Warning, Message = "{Event}: {Username} locked until {LockedUntil} after failed logins from {Ip}")]
    private static partial void AccountLocked(ILogger logger, string @event, string ip, string username, DateTimeOffset lockedUntil);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Warning, Message = "{Event}: token from {Ip} for {Username} rejected: {Reason}")]
    private static partial void TokenRejected(ILogger logger, string @event, string ip, string username, string reason);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Warning, Message = "{Event}: {Username} from {Ip}: {Reason}")]
    private static partial void RefreshTokenReused(ILogger logger, string @event, string ip, string username, string reason);

    [LoggerMessage(EventId = 9006, Level = LogLevel.Warning, Message = "{Event}: from {Ip} ({Username}): {Reason}")]
    private static partial void InvalidMessage(ILogger logger, string @event, string ip, string username, string reason);

    [LoggerMessage(EventId = 9007, Level = LogLevel.Warning, Message = "{Event}: connection from {Ip} closed: {Reason}")]
    private static partial void AuthenticationTimeout(ILogger logger, string @event, string ip, string reason);

    [LoggerMessage(EventId = 9008, Level = LogLevel.Warning, Message = "{Event}: connection from {Ip} refused: {Reason}")]
    private static partial void ConnectionRefused(ILogger logger, string @event, string ip, string reason);
}
