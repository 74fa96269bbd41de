namespace EmailMonitor.Mail;

/// <summary>One mailbox to watch: where it is, how to log in, and which folders.</summary>
internal sealed record MailboxDefinition(
    string Name,
    string Server,
    int Port,
    MailSecurity Security,
    string Username,
    string Password,
    IReadOnlyList<string> Folders)
{
    // The password stays out of logs and exception messages that print records.
    public override string ToString() => $"{Name} ({Username}@{Server}:{Port}, {Security})";
}
