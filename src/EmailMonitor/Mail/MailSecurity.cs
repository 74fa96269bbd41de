namespace EmailMonitor.Mail;

internal enum MailSecurity
{
    Ssl,
    StartTls,
    None,
}
