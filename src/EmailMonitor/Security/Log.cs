namespace EmailMonitor.Security;

internal static partial class Log
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Error, Message = "The block of {Address} could not be stored; it holds until restart")]
    public static partial void BlockNotStored(this ILogger logger, string address, Exception exception);
}
