namespace EmailMonitor.Rules;

internal static partial class Log
{
    [LoggerMessage(EventId = 11001, Level = LogLevel.Information, Message = "Rules in force: {Count} (revision {Revision})")]
    public static partial void RulesLoaded(this ILogger logger, int count, long revision);

    [LoggerMessage(EventId = 11002, Level = LogLevel.Error, Message = "Rule {Rule} is left out: its subject pattern does not compile here ({Problem})")]
    public static partial void RuleNotCompiled(this ILogger logger, long rule, string problem);

    [LoggerMessage(EventId = 11003, Level = LogLevel.Error, Message = "Rule {Rule} is left out: its stored definition cannot be read ({Problem})")]
    public static partial void RuleUnreadable(this ILogger logger, long rule, string problem);

    [LoggerMessage(EventId = 11004, Level = LogLevel.Warning, Message = "Rule {Rule}: the subject pattern ran past its time limit on message {Message}; taken as not matching")]
    public static partial void SubjectPatternTimedOut(this ILogger logger, long rule, string message);

    [LoggerMessage(EventId = 11005, Level = LogLevel.Warning, Message = "Rules could not be checked for changes; the ones in force stay (said once until it works)")]
    public static partial void RulesNotRefreshed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 11006, Level = LogLevel.Information, Message = "Message {Message} of {Mailbox}/{Folder} suppressed by rule {Rule}: not stored, not sent")]
    public static partial void EmailSuppressed(this ILogger logger, string message, string mailbox, string folder, long rule);
}
