using EmailMonitor.Mail;

namespace EmailMonitor.Mailboxes;

/// <summary>The words CONTRACT §7 uses for protocols and security, both ways.</summary>
internal static class MailboxText
{
    public static string Of(MailProtocol protocol) => protocol == MailProtocol.Pop3 ? "pop3" : "imap";

    public static string Of(MailSecurity security) => security switch
    {
        MailSecurity.StartTls => "starttls",
        MailSecurity.None => "none",
        _ => "ssl",
    };

    public static MailProtocol Protocol(string text) => text == "pop3" ? MailProtocol.Pop3 : MailProtocol.Imap;

    public static MailSecurity Security(string text) => text switch
    {
        "starttls" => MailSecurity.StartTls,
        "none" => MailSecurity.None,
        _ => MailSecurity.Ssl,
    };
}
