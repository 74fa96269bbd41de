namespace EmailMonitor.Storage;

/// <summary>A write refused because the mailbox's lease has passed to another owner since the caller's token was issued.</summary>
internal sealed class FencedException(string mailbox)
    : InvalidOperationException($"The lease of mailbox {mailbox} has passed to another owner; this instance no longer writes for it.")
{
    public string Mailbox { get; } = mailbox;
}
