using EmailMonitor.Mail;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace EmailMonitor.Alerts;

/// <summary>
/// Sends one alert over SMTP with MailKit: a fresh connection each time (alerts are rare, and a
/// connection kept open goes stale), certificates judged as for the mailboxes, and the whole
/// exchange bounded in time: a relay that accepts the connection and then says nothing is a
/// failed send (<see cref="TimeoutException"/>), tried again later, not a stopped service.
/// </summary>
internal sealed class AlertMailer(IOptions<AlertOptions> options)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long one send may take, connection to QUIT.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

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
        try
        {
            await client.ConnectAsync(settings.SmtpHost, settings.Port, security, bounded.Token);
            if (settings.SmtpUsername.Length > 0)
            {
                await client.AuthenticateAsync(settings.SmtpUsername, settings.SmtpPassword, bounded.Token);
            }

            await client.SendAsync(message, bounded.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the SMTP server did not finish within {Timeout.TotalSeconds:0} s");
        }

        try
        {
            await client.DisconnectAsync(quit: true, bounded.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The relay has taken the alert; a QUIT that fails must not make it look unsent (and sent twice).
        }
    }
}
