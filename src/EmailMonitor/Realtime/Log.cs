using System.Net;

namespace EmailMonitor.Realtime;

internal static partial class Log
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Client {Address} disconnected: {QueuedBytes} bytes waiting, it reads too slowly")]
    public static partial void SlowClientDisconnected(this ILogger logger, IPAddress? address, long queuedBytes);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug, Message = "Connection from {Address} dropped: {Reason}")]
    public static partial void ConnectionDropped(this ILogger logger, IPAddress? address, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Error, Message = "A request from {Address} failed")]
    public static partial void RequestFailed(this ILogger logger, IPAddress? address, Exception exception);
}
