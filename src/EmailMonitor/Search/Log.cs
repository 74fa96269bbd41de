namespace EmailMonitor.Search;

internal static partial class Log
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Search indexed {Count} events stored before it existed")]
    public static partial void SearchBackfilled(this ILogger logger, long count);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Indexing older events for search failed after {Count}; retrying in 30 s")]
    public static partial void SearchBackfillFailed(this ILogger logger, long count, Exception exception);
}
