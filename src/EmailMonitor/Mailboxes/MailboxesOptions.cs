namespace EmailMonitor.Mailboxes;

internal sealed class MailboxesOptions
{
    public const string Section = "Mailboxes";

    /// <summary>
    /// Base64 of the 32-byte key that encrypts stored mailbox credentials (CREDENTIALS_KEY). Empty:
    /// a key is generated once and kept in DATA_DIR.
    /// </summary>
    public string CredentialsKey { get; set; } = string.Empty;
}
