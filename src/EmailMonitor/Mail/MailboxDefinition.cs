namespace EmailMonitor.Mail;

/// <summary>One mailbox to watch: where it is, how to log in, what to watch and how often.</summary>
internal sealed record MailboxDefinition
{
    /// <summary>The mailbox the <c>EMAIL_*</c> variables define.</summary>
    public const string DefaultName = "default";

    public required string Name { get; init; }

    public MailProtocol Protocol { get; init; }

    public required string Server { get; init; }

    public required int Port { get; init; }

    public MailSecurity Security { get; init; }

    public required string Username { get; init; }

    public required MailCredential Credential { get; init; }

    /// <summary>IMAP folders; a POP3 mailbox has only its INBOX.</summary>
    public IReadOnlyList<string> Folders { get; init; } = ["INBOX"];

    /// <summary>Between polls (POP3, or IMAP without IDLE), and between IMAP's safety re-syncs.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(30);

    public bool Paused { get; init; }

    /// <summary>What is watched: each IMAP folder, or the one POP3 maildrop (named INBOX, as POP3 servers show it).</summary>
    public IReadOnlyList<string> WatchedFolders => Protocol == MailProtocol.Pop3 ? [Pop3Folder] : Folders;

    public const string Pop3Folder = "INBOX";

    public static int DefaultPort(MailProtocol protocol, MailSecurity security) => (protocol, security) switch
    {
        (MailProtocol.Pop3, MailSecurity.Ssl) => 995,
        (MailProtocol.Pop3, _) => 110,
        (_, MailSecurity.Ssl) => 993,
        _ => 143,
    };

    // The credential stays out of logs and exception messages that print records.
    public override string ToString() => $"{Name} ({Protocol.ToString().ToLowerInvariant()} {Username}@{Server}:{Port}, {Security})";
}
