namespace EmailMonitor.Alerts;

internal static partial class Log
{
    [LoggerMessage(EventId = 12001, Level = LogLevel.Information, Message = "Alert e-mail about {Count} risky emails sent to {Recipients} recipients")]
    public static partial void AlertSent(this ILogger logger, long count, int recipients);

    [LoggerMessage(EventId = 12002, Level = LogLevel.Warning, Message = "Alert e-mail not sent ({Kind}: {Problem}); the alerts stay queued and are tried again (said once until one is sent)")]
    public static partial void AlertNotSent(this ILogger logger, string kind, string problem);

    [LoggerMessage(EventId = 12003, Level = LogLevel.Information, Message = "Alert e-mails are sent again")]
    public static partial void AlertsRecovered(this ILogger logger);

    [LoggerMessage(EventId = 12004, Level = LogLevel.Warning, Message = "Alerts for events {First}–{Last} could not be queued; trying again")]
    public static partial void AlertsNotQueued(this ILogger logger, long first, long last, Exception exception);

    [LoggerMessage(EventId = 12005, Level = LogLevel.Warning, Message = "The alert queue could not be read; trying again")]
    public static partial void AlertRoundFailed(this ILogger logger, Exception exception);
}
