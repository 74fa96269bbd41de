using System.Net;
using EmailMonitor.Analysis;

namespace EmailMonitor.Security;

/// <summary>
/// Security events (CONTRACT §6), written under their own category so they land in
/// <c>security.log</c> as JSON lines with <c>event</c>, <c>ip</c>, <c>username</c> and <c>reason</c>.
/// Never given a password, token or message body; names from clients are cut and cleaned first.
/// </summary>
internal sealed partial class SecurityLog(ILoggerFactory loggerFactory, AutoBlocker autoBlocker, TimeProvider time)
{
    public const string Category = "EmailMonitor.Security";
    private const int MaxUsernameLength = 64;
    private const int MaxNameLength = 255;

    private readonly ILogger _logger = loggerFactory.CreateLogger(Category);
    private readonly RepeatedEvents _repeats = new(time);

    public void LoginSucceeded(IPAddress? ip, string username) => LoginSucceeded(_logger, Show(ip), Clean(username));

    public void LoginFailed(IPAddress? ip, string username, string reason)
    {
        LoginFailed(_logger, Show(ip), Clean(username), reason);
        autoBlocker.Record(ip, "login_failed");
    }

    public void AccountLocked(IPAddress? ip, string username, DateTimeOffset until) => AccountLocked(_logger, Show(ip), Clean(username), until);

    public void TokenRejected(IPAddress? ip, string? username, string reason)
    {
        TokenRejected(_logger, Show(ip), Clean(username), reason);
        autoBlocker.Record(ip, "invalid_token");
    }

    public void RefreshTokenReused(IPAddress? ip, string username)
    {
        RefreshTokenReused(_logger, Show(ip), Clean(username), "a retired refresh token was presented again; every token of that login is revoked");
        autoBlocker.Record(ip, "refresh_token_reuse");
    }

    public void InvalidMessage(IPAddress? ip, string? username, string reason)
    {
        InvalidMessage(_logger, Show(ip), Clean(username), reason);
        autoBlocker.Record(ip, "invalid_message");
    }

    public void RateLimited(IPAddress? ip, string? username, string what)
    {
        if (Unrepeated("rate_limited", ip, what) is { } reason)
        {
            RateLimited(_logger, Show(ip), Clean(username), reason);
        }

        autoBlocker.Record(ip, "rate_limited");
    }

    /// <summary>
    /// A login turned away for now through no fault of its sender (the account is under attack
    /// from elsewhere, or every hashing slot is busy): logged like a rate limit, never counted as
    /// a violation, so an owner retrying is never blocked for it.
    /// </summary>
    public void LoginDeferred(IPAddress? ip, string username, string why)
    {
        if (Unrepeated("rate_limited", ip, why) is { } reason)
        {
            RateLimited(_logger, Show(ip), Clean(username), reason);
        }
    }

    public void AccessDenied(IPAddress? ip, string why)
    {
        if (Unrepeated("ip_refused", ip, why) is { } reason)
        {
            AccessDenied(_logger, Show(ip), reason);
        }
    }

    public void UserChanged(IPAddress? ip, string? username, string change) => UserChanged(_logger, Show(ip), Clean(username), change);

    public void MailboxChanged(IPAddress? ip, string? username, string change) => MailboxChanged(_logger, Show(ip), Clean(username), change);

    public void BlockLifted(IPAddress? ip, string? username, string address) => BlockLifted(_logger, Show(ip), Clean(username), address);

    public void WebhookChanged(IPAddress? ip, string? username, string change) => WebhookChanged(_logger, Show(ip), Clean(username), Clean(change, 600));

    public void RuleChanged(IPAddress? ip, string? username, string change) => RuleChanged(_logger, Show(ip), Clean(username), Clean(change, 600));

    public void SigningKeyRotated(IPAddress? ip, string? username, string kid) => SigningKeyRotated(_logger, Show(ip), Clean(username), $"new signing key {kid}");

    public void OriginRefused(IPAddress? ip, string origin) => OriginRefused(_logger, Show(ip), Clean(origin));

    // A violation: sockets left open without authenticating are how a few addresses try to hold every slot.
    public void AuthenticationTimeout(IPAddress? ip)
    {
        AuthenticationTimeout(_logger, Show(ip), "no authentication within the deadline");
        autoBlocker.Record(ip, "authentication_timeout");
    }

    public void ConnectionRefused(IPAddress? ip, string why)
    {
        if (Unrepeated("connection_refused", ip, why) is { } reason)
        {
            ConnectionRefused(_logger, Show(ip), reason);
        }
    }

    /// <summary>
    /// One <c>dangerous_attachment</c> line per harmful attachment and one <c>suspicious_email</c>
    /// line for attack signs in the message, naming the message but never its subject or body.
    /// </summary>
    public void EmailFlagged(EmailEvent email)
    {
        if (!_logger.IsEnabled(LogLevel.Warning))
        {
            return;
        }

        foreach (var attachment in email.Attachments.Where(a => SecurityFlags.IsDangerousAttachment(a.Flags)))
        {
            DangerousAttachment(_logger, Describe(email),
                $"{Clean(attachment.Filename, MaxNameLength)} ({attachment.DetectedType}, sha256 {attachment.Sha256}): {string.Join(", ", attachment.Flags)}");
        }

        var suspicious = email.SecurityFlags.Where(SecurityFlags.Suspicious.Contains).ToList();
        if (suspicious.Count > 0)
        {
            SuspiciousEmail(_logger, Describe(email), $"{string.Join(", ", suspicious)}; risk score {email.RiskScore}");
        }
    }

    // The reason to write for this occurrence, noting the repeats left out before it; null when
    // it is itself a repeat to leave out (see RepeatedEvents).
    private string? Unrepeated(string eventName, IPAddress? ip, string reason) =>
        !_repeats.ShouldWrite(eventName, ip, out var omitted) ? null
        : omitted == 0 ? reason
        : $"{reason} ({omitted} more from this address since the previous line, not written)";

    private static string Describe(EmailEvent email) =>
        $"{email.Id} from {Clean(email.Sender, MaxNameLength)}";

    private static string Show(IPAddress? ip) => ip?.ToString() ?? "unknown";

    // A client-chosen name must not forge log lines or flood the log.
    private static string Clean(string? username) => Clean(username, MaxUsernameLength);

    private static string Clean(string? text, int maxLength)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var cut = text.Length > maxLength ? text[..maxLength] : text;
        return string.Create(cut.Length, cut, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }

    [LoggerMessage(EventId = 9001, EventName = "login_success", Level = LogLevel.Information, Message = "{Username} logged in from {Ip}")]
    private static partial void LoginSucceeded(ILogger logger, string ip, string username);

    [LoggerMessage(EventId = 9002, EventName = "login_failed", Level = LogLevel.Warning, Message = "login as {Username} from {Ip} failed: {Reason}")]
    private static partial void LoginFailed(ILogger logger, string ip, string username, string reason);

    [LoggerMessage(EventId = 9003, EventName = "account_locked", Level = LogLevel.Warning, Message = "{Username} locked until {LockedUntil} after failed logins from {Ip}")]
    private static partial void AccountLocked(ILogger logger, string ip, string username, DateTimeOffset lockedUntil);

    [LoggerMessage(EventId = 9004, EventName = "invalid_token", Level = LogLevel.Warning, Message = "token from {Ip} for {Username} rejected: {Reason}")]
    private static partial void TokenRejected(ILogger logger, string ip, string username, string reason);

    [LoggerMessage(EventId = 9005, EventName = "refresh_token_reuse", Level = LogLevel.Warning, Message = "{Username} from {Ip}: {Reason}")]
    private static partial void RefreshTokenReused(ILogger logger, string ip, string username, string reason);

    [LoggerMessage(EventId = 9006, EventName = "invalid_message", Level = LogLevel.Warning, Message = "from {Ip} ({Username}): {Reason}")]
    private static partial void InvalidMessage(ILogger logger, string ip, string username, string reason);

    [LoggerMessage(EventId = 9007, EventName = "auth_timeout", Level = LogLevel.Warning, Message = "connection from {Ip} closed: {Reason}")]
    private static partial void AuthenticationTimeout(ILogger logger, string ip, string reason);

    [LoggerMessage(EventId = 9008, EventName = "connection_refused", Level = LogLevel.Warning, Message = "connection from {Ip} refused: {Reason}")]
    private static partial void ConnectionRefused(ILogger logger, string ip, string reason);

    [LoggerMessage(EventId = 9009, EventName = "rate_limited", Level = LogLevel.Warning, Message = "{Ip} ({Username}) over its limit: {Reason}")]
    private static partial void RateLimited(ILogger logger, string ip, string username, string reason);

    [LoggerMessage(EventId = 9013, EventName = "block_lifted", Level = LogLevel.Warning, Message = "{Username} from {Ip} lifted the block of {Reason}")]
    private static partial void BlockLifted(ILogger logger, string ip, string username, string reason);

    [LoggerMessage(EventId = 9016, EventName = "user_changed", Level = LogLevel.Warning, Message = "{Username} from {Ip}: {Reason}")]
    private static partial void UserChanged(ILogger logger, string ip, string username, string reason);

    [LoggerMessage(EventId = 9017, EventName = "mailbox_changed", Level = LogLevel.Warning, Message = "{Username} from {Ip}: {Reason}")]
    private static partial void MailboxChanged(ILogger logger, string ip, string username, string reason);

    [LoggerMessage(EventId = 9018, EventName = "signing_key_rotated", Level = LogLevel.Warning, Message = "{Username} from {Ip}: {Reason}")]
    private static partial void SigningKeyRotated(ILogger logger, string ip, string username, string reason);

    [LoggerMessage(EventId = 9019, EventName = "webhook_changed", Level = LogLevel.Warning, Message = "{Username} from {Ip}: {Reason}")]
    private static partial void WebhookChanged(ILogger logger, string ip, string username, string reason);

    [LoggerMessage(EventId = 9020, EventName = "rule_changed", Level = LogLevel.Warning, Message = "{Username} from {Ip}: {Reason}")]
    private static partial void RuleChanged(ILogger logger, string ip, string username, string reason);

    [LoggerMessage(EventId = 9014, EventName = "dangerous_attachment", Level = LogLevel.Warning, Message = "attachment of {Message}: {Reason}")]
    private static partial void DangerousAttachment(ILogger logger, string message, string reason);

    [LoggerMessage(EventId = 9015, EventName = "suspicious_email", Level = LogLevel.Warning, Message = "{Message}: {Reason}")]
    private static partial void SuspiciousEmail(ILogger logger, string message, string reason);

    [LoggerMessage(EventId = 9011, EventName = "ip_refused", Level = LogLevel.Warning, Message = "request from {Ip} refused: {Reason}")]
    private static partial void AccessDenied(ILogger logger, string ip, string reason);

    [LoggerMessage(EventId = 9012, EventName = "origin_refused", Level = LogLevel.Warning, Message = "WebSocket from {Ip} with origin {Reason} refused")]
    private static partial void OriginRefused(ILogger logger, string ip, string reason);
}
