using EmailMonitor.Tests.Analysis;
using EmailMonitor.Tests.Support;
using MimeKit;

namespace EmailMonitor.Tests.Integration;

/// <summary>
/// E-mail alerts through a real SMTP server (aiosmtpd): one alert at once, then a wave gathered into
/// one digest per interval; over STARTTLS with a login; and an SMTP server that is down loses no alert.
/// </summary>
public sealed class AlertTests
{
    private const string SecretBody = "the-body-of-the-lure-never-travels";

    [Fact]
    public async Task The_first_risky_email_is_alerted_at_once_and_a_wave_after_it_comes_as_one_digest()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var smtp = await SmtpServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot, variables: v =>
        {
            v["ALERT_SMTP_HOST"] = "127.0.0.1";
            v["ALERT_SMTP_PORT"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            v["ALERT_SMTP_SECURITY"] = "none";
            v["ALERT_SMTP_FROM"] = "monitor@example.com";
            v["ALERT_SMTP_TO"] = "desk@example.com, soc@example.com";
            v["ALERT_MIN_RISK_SCORE"] = "50";
            v["ALERT_INTERVAL"] = "8";
        });
        await Readiness.WaitForMailboxesAsync(service.BaseUri);
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        await dovecot.AppendAsync([Emails.Plain("harmless"), Risky("Invoice\r\nBcc: victim@example.com", "invoice.pdf.exe")]);
        var first = await smtp.WaitForAsync(1);

        Assert.Equal("monitor@example.com", first.MailFrom);
        Assert.Equal(["desk@example.com", "soc@example.com"], first.Recipients.Order(StringComparer.Ordinal));
        Assert.StartsWith("[Email Monitor] risk 100: Invoice", first.Message.Subject, StringComparison.Ordinal);
        Assert.Equal("auto-generated", first.Message.Headers["Auto-Submitted"]);
        Assert.Contains("invoice.pdf.exe (application/vnd.microsoft.portable-executable", first.Text, StringComparison.Ordinal);
        Assert.Contains("dangerous_attachment", first.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretBody, first.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("harmless", first.Text, StringComparison.Ordinal);

        // A wave within the interval, each stored before the next arrives (an alert for each would
        // be sent if nothing held them): one digest, not five alerts.
        await client.ReceiveUntilAsync(e => e.GetProperty("type").GetString() == "new_email" && e.GetProperty("risk_score").GetInt32() > 0);
        for (var i = 1; i <= 5; i++)
        {
            await dovecot.AppendAsync(Risky($"wave {i}", $"scan{i}.pdf.exe"));
            await client.ReceiveAsync("new_email");
        }

        await dovecot.AppendAsync(Emails.Plain("still harmless"));
        await client.ReceiveAsync("new_email");
        var digest = await smtp.WaitForAsync(2);
        // The wave is meant to fit in one interval; a machine slow enough to let it spill over
        // makes a second digest, never an alert per email.
        var digests = new List<ReceivedAlert> { digest };
        if (!Enumerable.Range(1, 5).All(i => digest.Text.Contains($"wave {i}", StringComparison.Ordinal)))
        {
            digests.Add(await smtp.WaitForAsync(3));
        }

        var texts = string.Join("\n", digests.Select(d => d.Text));
        Assert.StartsWith("[Email Monitor] ", digest.Message.Subject, StringComparison.Ordinal);
        Assert.Contains(" risky emails since ", digest.Message.Subject, StringComparison.Ordinal);
        Assert.All(Enumerable.Range(1, 5), i => Assert.Contains($"wave {i}", texts, StringComparison.Ordinal));
        Assert.DoesNotContain("still harmless", texts, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretBody, texts, StringComparison.Ordinal);
        Assert.Equal(1 + digests.Count, smtp.Count);
        // Recorded once the relay has taken it, a moment after the relay wrote it down.
        await Eventually.TrueAsync(
            async () => await ServiceDatabase.CountAsync(service.Variables, "SELECT count(*) FROM alert_queue") == 0, "the sent alerts leave the queue");
    }

    [Fact]
    public async Task Alerts_go_over_starttls_with_a_login_and_wait_out_an_smtp_server_that_is_down()
    {
        using var directory = new TempDirectory();
        var certificates = TestCertificates.Create(directory.Combine("certificates"));
        await using var dovecot = await DovecotServer.StartAsync();
        await using var smtp = await SmtpServer.StartAsync(certificates, login: "alerts:relay-password-7");
        await smtp.StopAsync();
        var variables = ServiceHost.DefaultVariables(directory.Path, dovecot);
        variables["SSL_CERT_DIR"] = certificates.TrustDirectory;
        variables["ALERT_SMTP_HOST"] = "localhost";
        variables["ALERT_SMTP_PORT"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        variables["ALERT_SMTP_USERNAME"] = "alerts";
        variables["ALERT_SMTP_PASSWORD"] = "relay-password-7";
        variables["ALERT_SMTP_FROM"] = "monitor@example.com";
        variables["ALERT_SMTP_TO"] = "desk@example.com";
        await using var service = ServiceProcess.Start(variables, directory.Path);
        await Readiness.WaitForMailboxesAsync(await service.ListeningAsync());

        await dovecot.AppendAsync(Risky("while the relay is down", "setup.exe"));
        await Eventually.TrueAsync(
            async () => await ServiceDatabase.CountAsync(variables, "SELECT count(*) FROM alert_queue") == 1,
            "the alert queued");
        var log = Path.Combine(variables["LOG_DIR"], "email_monitor.log");
        await Eventually.TrueAsync(async () => (await File.ReadAllTextAsync(log, TestContext.Current.CancellationToken)).Contains("Alert e-mail not sent", StringComparison.Ordinal), "the failed send logged");

        await smtp.StartAgainAsync();
        var alert = await smtp.WaitForAsync(1, TimeSpan.FromSeconds(60));

        Assert.True(alert.Tls);
        Assert.Equal("alerts", alert.Login);
        Assert.Contains("while the relay is down", alert.Message.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain("relay-password-7", service.Output + await File.ReadAllTextAsync(log, TestContext.Current.CancellationToken), StringComparison.Ordinal);
        await Eventually.TrueAsync(
            async () => await ServiceDatabase.CountAsync(variables, "SELECT count(*) FROM alert_queue") == 0,
            "the queue emptied once sent");
    }

    [Fact]
    public async Task A_relay_that_takes_the_connection_and_says_nothing_is_a_failed_send_not_a_stopped_service()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var options = Microsoft.Extensions.Options.Options.Create(new EmailMonitor.Alerts.AlertOptions
        {
            SmtpHost = "127.0.0.1", SmtpPort = port, SmtpSecurity = EmailMonitor.Mail.MailSecurity.None, From = "monitor@example.com", To = ["desk@example.com"],
        });
        var mailer = new EmailMonitor.Alerts.AlertMailer(options) { Timeout = TimeSpan.FromSeconds(1) };
        var accepting = silent.AcceptTcpClientAsync(TestContext.Current.CancellationToken);

        // MailKit's own socket timeout or the bound around the whole send, whichever fires first:
        // either way a TimeoutException, which the sender counts as a failed send and retries.
        await Assert.ThrowsAsync<TimeoutException>(() => mailer.SendAsync(Emails.Plain("alert"), TestContext.Current.CancellationToken));

        (await accepting).Dispose();
    }

    private static MimeMessage Risky(string subject, string attachmentName)
    {
        var message = Emails.Plain(subject, SecretBody);
        var builder = new BodyBuilder { TextBody = SecretBody };
        builder.Attachments.Add(attachmentName, SampleFiles.WindowsExecutable, new ContentType("application", "pdf"));
        message.Body = builder.ToMessageBody();
        return message;
    }
}
