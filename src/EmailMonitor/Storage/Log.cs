using EmailMonitor.Pipeline;

namespace EmailMonitor.Storage;

internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Storing {Count} events failed; retrying")]
    public static partial void CommitFailed(this ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Database {Path} is at schema version {Version}")]
    public static partial void DatabaseReady(this ILogger logger, string path, int version);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "Emails of {Source} reached storage out of order (generation {Generation}: expected number {Expected}, got {Got}); its checkpoint stays at the last unbroken email, so a restart fetches the rest again")]
    public static partial void CheckpointOutOfOrder(this ILogger logger, FolderKey source, long generation, long expected, long got);
}
