namespace EmailMonitor.Rules;

internal static partial class Log
{
    [LoggerMessage(EventId = 11001, Level = LogLevel.Information, Message = "Rules in force: {Count} (revision {Revision})")]
    public static partial void RulesLoaded(this ILogger logger, int count, long revision);

    [LoggerMessage(EventId = 11002, Level = LogLevel.Error, Message = "Rule {Rule} is left out: it cannot be made ready here ({Problem})")]
    public static partial void RuleNotCompiled(this ILogger logger, long rule, string problem);

    [LoggerMessage(EventId = 11003, Level = LogLevel.Error, Message = "Rule {Rule} is left out: its stored definition cannot be read ({Problem})")]
    public static partial void RuleUnreadable(this ILogger logger, long rule, string problem);

    [LoggerMessage(EventId = 11004, Level = LogLevel.Warning, Message = "Rule {Rule}: the subject pattern ran past its time limit on message {Message}; taken as not matching")]
    public static partial void SubjectPatternTimedOut(this ILogger logger, long rule, string message);

    [LoggerMessage(EventId = 11005, Level = LogLevel.Warning, Message = "Rules could not be checked for changes; the ones in force stay (said once until it works)")]
    public static partial void RulesNotRefreshed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 11006, Level = LogLevel.Information, Message = "Message {Message} of {Mailbox}/{Folder} suppressed by rule {Rule}: not stored, not sent")]
    public static partial void EmailSuppressed(this ILogger logger, string message, string mailbox, string folder, long rule);

    [LoggerMessage(EventId = 11007, Level = LogLevel.Error, Message = "The rules failed on message {Message}; it is stored as analysed, without them")]
    public static partial void RulesFailed(this ILogger logger, string message, Exception exception);

    [LoggerMessage(EventId = 11008, Level = LogLevel.Error, Message = "Rule {Rule} failed on message {Message}; taken as not matching")]
    public static partial void RuleFailed(this ILogger logger, long rule, string message, Exception exception);

    [LoggerMessage(EventId = 11009, Level = LogLevel.Warning, Message = "Rule {Rule} skipped on message {Message}: the subject patterns that backtrack used up their time for this email")]
    public static partial void PatternBudgetSpent(this ILogger logger, long rule, string message);
}
