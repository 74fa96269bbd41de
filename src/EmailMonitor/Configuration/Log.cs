namespace EmailMonitor.Configuration;

internal static partial class Log
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Configuration: {Notice}")]
    public static partial void ConfigurationNotice(this ILogger logger, string notice);
}
