namespace EmailMonitor.Mail;

internal enum MailProtocol
{
    Imap,
    Pop3,
}
