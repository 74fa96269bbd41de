namespace EmailMonitor.Mailboxes;

internal static partial class Log
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Generated a key for stored mailbox credentials in {Path}; back it up with the database, or set CREDENTIALS_KEY to keep it elsewhere")]
    public static partial void GeneratedCredentialsKey(this ILogger logger, string path);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Mailbox {Mailbox} added: {Description}")]
    public static partial void MailboxAdded(this ILogger logger, string mailbox, string description);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Mailbox {Mailbox} changed: {Description}, paused {Paused}")]
    public static partial void MailboxChanged(this ILogger logger, string mailbox, string description, bool paused);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "Mailbox {Mailbox} removed; its stored events stay")]
    public static partial void MailboxRemoved(this ILogger logger, string mailbox);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Error, Message = "A source of mailbox {Mailbox} failed while stopping")]
    public static partial void SourceStopFailed(this ILogger logger, string mailbox, Exception exception);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Error, Message = "The stored settings of mailbox {Mailbox} cannot be read ({Problem}); it is not watched")]
    public static partial void UnreadableMailbox(this ILogger logger, string mailbox, string problem);
}
