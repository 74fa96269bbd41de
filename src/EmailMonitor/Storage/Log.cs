using EmailMonitor.Pipeline;

namespace EmailMonitor.Storage;

internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Storing {Count} events failed; retrying")]
    public static partial void CommitFailed(this ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Database ({Engine}) {Database} is at schema version {Version}")]
    public static partial void DatabaseReady(this ILogger logger, string engine, string database, int version);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "Emails of {Source} reached storage out of order (generation {Generation}: expected number {Expected}, got {Got}); its checkpoint stays at the last unbroken email, so a restart fetches the rest again")]
    public static partial void CheckpointOutOfOrder(this ILogger logger, FolderKey source, long generation, long expected, long got);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "The commit log reader {Reader} could not read the events table; retrying")]
    public static partial void CommitLogReadFailed(this ILogger logger, string reader, Exception exception);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Database {Database} cannot be reached yet ({Reason}); retrying")]
    public static partial void DatabaseUnreachable(this ILogger logger, string database, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Retention deleted {Count} events")]
    public static partial void RetentionDeleted(this ILogger logger, long count);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Retention could not delete old events; it tries again at its next run")]
    public static partial void RetentionFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "{Count} emails of mailbox {Mailbox} were not stored: their lease {Fence} has passed to another instance, which fetches them itself")]
    public static partial void FencedCommit(this ILogger logger, string mailbox, long fence, int count);
}
