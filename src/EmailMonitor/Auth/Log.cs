namespace EmailMonitor.Auth;

internal static partial class Log
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Created administrator {Username}")]
    public static partial void AdminCreated(this ILogger logger, string username);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "JWT_SECRET_KEY is not set: tokens are signed with a development key kept in {Path}. Set JWT_SECRET_KEY outside development.")]
    public static partial void GeneratedSigningKey(this ILogger logger, string path);
}
