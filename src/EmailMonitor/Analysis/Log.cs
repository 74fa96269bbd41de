namespace EmailMonitor.Analysis;

internal static partial class Log
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Message {MessageId} could not be parsed ({Error}); stored as malformed")]
    public static partial void UnreadableMessage(this ILogger logger, string messageId, string error);
}
