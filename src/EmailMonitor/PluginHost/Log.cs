namespace EmailMonitor.PluginHost;

internal static partial class Log
{
    [LoggerMessage(EventId = 13001, Level = LogLevel.Information, Message = "Plugin {Plugin} loaded: {Type} (judge: {Judge}, stored-event handler: {Handler})")]
    public static partial void PluginLoaded(this ILogger logger, string plugin, string type, bool judge, bool handler);

    [LoggerMessage(EventId = 13002, Level = LogLevel.Error, Message = "Plugin {Plugin} not loaded: {Problem}; the service runs without it")]
    public static partial void PluginNotLoaded(this ILogger logger, string plugin, string problem);

    [LoggerMessage(EventId = 13003, Level = LogLevel.Warning, Message = "Plugin {Plugin} failed on {What} ({Kind}: {Problem}); skipped")]
    public static partial void PluginFailed(this ILogger logger, string plugin, string what, string kind, string problem);

    [LoggerMessage(EventId = 13004, Level = LogLevel.Warning, Message = "Plugin {Plugin} took longer than {TimeoutMs} ms on {What}; skipped")]
    public static partial void PluginTimedOut(this ILogger logger, string plugin, string what, int timeoutMs);

    [LoggerMessage(EventId = 13005, Level = LogLevel.Warning, Message = "Plugin {Plugin} is still in a call that ran out of time; it is passed over until that call ends (said once)")]
    public static partial void PluginBusy(this ILogger logger, string plugin);

    [LoggerMessage(EventId = 13006, Level = LogLevel.Warning, Message = "Plugin {Plugin} judged {Message} with what the service does not know, left out: {Refused}")]
    public static partial void JudgementPartlyRefused(this ILogger logger, string plugin, string message, string refused);
}
