namespace EmailMonitor.Mail;

/// <summary>How a mailbox logs in. Its text form never holds the secret.</summary>
internal abstract record MailCredential;

internal sealed record PasswordCredential(string Password) : MailCredential
{
    public override string ToString() => "password";
}
