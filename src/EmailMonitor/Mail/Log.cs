using EmailMonitor.Pipeline;

namespace EmailMonitor.Mail;

internal static partial class Log
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Watching {Folder} with {Mode} from UID {LastUid}")]
    public static partial void Watching(this ILogger logger, FolderKey folder, string mode, uint lastUid);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Session for {Folder} failed: {Error}")]
    public static partial void FolderSessionFailed(this ILogger logger, FolderKey folder, string error, Exception? exception);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Reconnecting {Folder} in {DelaySeconds:0.0} s")]
    public static partial void Reconnecting(this ILogger logger, FolderKey folder, double delaySeconds);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "UIDVALIDITY of {Folder} changed from {OldUidValidity} to {NewUidValidity}; its checkpoint is reset")]
    public static partial void UidValidityChanged(this ILogger logger, FolderKey folder, uint oldUidValidity, uint newUidValidity);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "{Folder} starts at UID {LastUid}: mail that arrives from now on is monitored")]
    public static partial void StartingAtNow(this ILogger logger, FolderKey folder, uint lastUid);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Debug, Message = "Fetching {Count} messages of {Folder}, UIDs {FirstUid} to {LastUid}")]
    public static partial void Fetching(this ILogger logger, FolderKey folder, int count, uint firstUid, uint lastUid);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "UID {Uid} of {Folder} could not be fetched in {Attempts} sessions in a row; it is recorded as a malformed message so the folder moves on")]
    public static partial void GivingUpOnMessage(this ILogger logger, FolderKey folder, uint uid, int attempts);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "No mailbox folder is watched")]
    public static partial void NothingToWatch(this ILogger logger);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Information, Message = "{Folder} starts with the {Count} messages on the POP3 server marked as seen: mail that arrives from now on is monitored")]
    public static partial void Pop3StartingAtNow(this ILogger logger, FolderKey folder, int count);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "The POP3 server of {Folder} does not support UIDL: new mail cannot be told from old, so the mailbox is not watched. Use IMAP for it")]
    public static partial void Pop3WithoutUidl(this ILogger logger, FolderKey folder);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Debug, Message = "Obtained an OAuth2 access token for mailbox {Mailbox}, valid {LifetimeSeconds:0} s")]
    public static partial void AccessTokenRefreshed(this ILogger logger, string mailbox, double lifetimeSeconds);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Information, Message = "The OAuth2 provider of mailbox {Mailbox} rotated its refresh token; the new one is stored")]
    public static partial void RefreshTokenRotated(this ILogger logger, string mailbox);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Warning, Message = "Message {Uidl} of {Folder} could not be fetched in {Attempts} polls in a row; it is recorded as a malformed message so the maildrop moves on")]
    public static partial void GivingUpOnPop3Message(this ILogger logger, FolderKey folder, string uidl, int attempts);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Error, Message = "The refresh token the OAuth2 provider of mailbox {Mailbox} rotated could not be stored; it is tried again at the next refresh")]
    public static partial void RotatedTokenNotSaved(this ILogger logger, string mailbox, Exception exception);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Information, Message = "Watching {Count} folders of mailbox {Mailbox} over one connection with {Mode}")]
    public static partial void WatchingShared(this ILogger logger, string mailbox, int count, string mode);

    [LoggerMessage(EventId = 1016, Level = LogLevel.Information, Message = "The server of mailbox {Mailbox} lacks NOTIFY: {Own} folders get their own IDLE connection, {Polled} share one polled connection")]
    public static partial void WatchingWithoutNotify(this ILogger logger, string mailbox, int own, int polled);

    [LoggerMessage(EventId = 1017, Level = LogLevel.Warning, Message = "The server of mailbox {Mailbox} offers NOTIFY but refused it ({Reason}); its folders get their own connections")]
    public static partial void NotifyRefused(this ILogger logger, string mailbox, string reason);
}
