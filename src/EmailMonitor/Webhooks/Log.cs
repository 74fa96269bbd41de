namespace EmailMonitor.Webhooks;

internal static partial class Log
{
    [LoggerMessage(EventId = 10001, Level = LogLevel.Debug, Message = "Webhook {Webhook}: event {EmailEventId} not delivered (attempt {Attempt}: {Error}); trying again at {RetryAt}")]
    public static partial void DeliveryFailed(this ILogger logger, long webhook, long emailEventId, int attempt, string error, DateTimeOffset retryAt);

    [LoggerMessage(EventId = 10002, Level = LogLevel.Warning, Message = "Webhook {Webhook}: gave up on event {EmailEventId} after {Attempts} attempts ({Error}); an administrator can send it again")]
    public static partial void DeliveryDead(this ILogger logger, long webhook, long emailEventId, int attempts, string error);

    [LoggerMessage(EventId = 10003, Level = LogLevel.Warning, Message = "Webhook {Webhook}: the attempt on event {EmailEventId} could not be recorded; it is tried again when its claim runs out")]
    public static partial void DeliveryNotRecorded(this ILogger logger, long webhook, long emailEventId, Exception exception);

    [LoggerMessage(EventId = 10004, Level = LogLevel.Warning, Message = "Webhook deliveries could not be read; trying again every second (said once until it works)")]
    public static partial void DispatchFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 10005, Level = LogLevel.Warning, Message = "Deliveries of events {First}–{Last} could not be stored; trying again")]
    public static partial void EnqueueFailed(this ILogger logger, long first, long last, Exception exception);

    [LoggerMessage(EventId = 10006, Level = LogLevel.Warning, Message = "Webhook {Webhook} is failing: event {EmailEventId} not delivered ({Error}); its deliveries are retried, and further failures are logged at Debug until one succeeds")]
    public static partial void WebhookFailing(this ILogger logger, long webhook, long emailEventId, string error);

    [LoggerMessage(EventId = 10007, Level = LogLevel.Information, Message = "Webhook {Webhook} delivers again")]
    public static partial void WebhookRecovered(this ILogger logger, long webhook);
}
