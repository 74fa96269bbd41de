using EmailMonitor.Mail;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace EmailMonitor.Alerts;

/// <summary>
/// Sends one alert over SMTP with MailKit: a fresh connection each time (alerts are rare, and a
/// connection kept open goes stale), certificates judged as for the mailboxes, the password sent
/// only once TLS is up unless insecure sending was allowed, and the whole exchange bounded in time.
/// </summary>
internal sealed class AlertMailer(IOptions<AlertOptions> options)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(Timeout);
        using var client = new SmtpClient
        {
            Timeout = (int)Timeout.TotalMilliseconds,
            ServerCertificateValidationCallback = CertificatePolicy.Validate,
        };
        var security = settings.SmtpSecurity switch
        {
            MailSecurity.Ssl => SecureSocketOptions.SslOnConnect,
            MailSecurity.StartTls => SecureSocketOptions.StartTls,
            _ => SecureSocketOptions.None,
        };
        await client.ConnectAsync(settings.SmtpHost, settings.Port, security, bounded.Token);
        if (settings.SmtpUsername.Length > 0)
        {
            await client.AuthenticateAsync(settings.SmtpUsername, settings.SmtpPassword, bounded.Token);
        }

        await client.SendAsync(message, bounded.Token);
        await client.DisconnectAsync(quit: true, bounded.Token);
    }
}
