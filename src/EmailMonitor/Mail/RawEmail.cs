namespace EmailMonitor.Mail;

/// <summary>A message exactly as the server holds it, with where it was found.</summary>
internal sealed record RawEmail(FolderKey Folder, uint UidValidity, uint Uid, RawContent Content, DateTimeOffset ReceivedAt)
{
    /// <summary>
    /// The stable message id of CONTRACT §4: unique per mailbox, folder, UIDVALIDITY and UID.
    /// Mailbox names hold no ':' so the id reads back unambiguously from both ends.
    /// </summary>
    public string MessageId => $"{Folder.Mailbox}:{Folder.Folder}:{UidValidity}:{Uid}";
}
