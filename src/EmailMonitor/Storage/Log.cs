namespace EmailMonitor.Storage;

internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Storing {Count} events failed; retrying")]
    public static partial void CommitFailed(this ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Database {Path} is at schema version {Version}")]
    public static partial void DatabaseReady(this ILogger logger, string path, int version);
}
