namespace EmailMonitor.Security;

internal static partial class Log
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Error, Message = "The block (or lift) of {Address} could not be stored yet; it holds here and is tried again until stored")]
    public static partial void BlockNotStored(this ILogger logger, string address, Exception exception);
}
