namespace EmailMonitor.Auth;

internal static partial class Log
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Created administrator {Username}")]
    public static partial void AdminCreated(this ILogger logger, string username);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "JWT_SECRET_KEY is not set: tokens are signed with a development key kept in {Path}. Set JWT_SECRET_KEY outside development.")]
    public static partial void GeneratedSigningKey(this ILogger logger, string path);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Access tokens are now signed with key {Kid}; the previous keys validate until their tokens expire")]
    public static partial void SigningKeyRotated(this ILogger logger, string kid);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Signing key {Kid} does not open with this JWT_SECRET_KEY (was it changed?); tokens it signed are refused")]
    public static partial void SigningKeyUnreadable(this ILogger logger, string kid);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "The signing key ring could not be read or rotated; trying again shortly")]
    public static partial void SigningKeyRingFailed(this ILogger logger, Exception exception);
}
