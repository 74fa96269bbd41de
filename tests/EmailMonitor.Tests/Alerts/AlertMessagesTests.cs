using System.Text.Json;
using EmailMonitor.Alerts;
using EmailMonitor.Analysis;
using EmailMonitor.Storage;

namespace EmailMonitor.Tests.Alerts;

public sealed class AlertMessagesTests
{
    private static readonly AlertOptions Options = new()
    {
        SmtpHost = "smtp.example.com",
        From = "monitor@example.com",
        To = ["desk@example.com", "soc@example.com"],
        MinRiskScore = 60,
        Interval = TimeSpan.FromMinutes(5),
    };

    [Fact]
    public void One_email_is_described_without_any_of_its_content()
    {
        var email = Email(1) with
        {
            SenderName = "Accounts\u202Egnp.exe",
            TextContent = "secret text",
            HtmlContent = "<b>secret html</b>",
            Tags = ["finance"],
            Attachments = [new AttachmentInfo { Filename = "invoice.pdf.exe", DetectedType = "application/x-msdownload", Size = 1234, Sha256 = new string('a', 64), Flags = ["dangerous_attachment"] }],
        };

        var message = AlertMessages.Compose(Options, new PendingAlerts(1, 7, [Stored(7, email)]), DateTimeOffset.UnixEpoch);

        Assert.Equal("[Email Monitor] risk 90: Subject 1", message.Subject);
        Assert.Equal(["desk@example.com", "soc@example.com"], message.To.Mailboxes.Select(m => m.Address));
        Assert.Equal("auto-generated", message.Headers["Auto-Submitted"]);
        var text = message.TextBody;
        Assert.Contains("invoice.pdf.exe (application/x-msdownload, 1234 bytes, SHA-256 " + new string('a', 64) + ") dangerous_attachment", text, StringComparison.Ordinal);
        Assert.Contains("Tags:        finance", text, StringComparison.Ordinal);
        Assert.Contains("Event:       7", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        // The bidi override that turns a name around on screen is left out.
        Assert.Contains("\"Accountsgnp[.]exe\" <billing@evil[.]example>", text, StringComparison.Ordinal);
        Assert.Null(message.HtmlBody);
    }

    [Fact]
    public void Links_fake_lines_and_long_names_are_made_inert()
    {
        var hostile = Email(1) with
        {
            Subject = "Re-validate at https://login.evil.example/now\u2028Flags:       none",
            SenderName = "IT <it@corp.example>",
            Attachments = [new AttachmentInfo { Filename = "invoice.pdf" + new string('_', 100) + ".exe", DetectedType = "application/vnd.microsoft.portable-executable" }],
        };

        var message = AlertMessages.Compose(Options, new PendingAlerts(1, 9, [Stored(9, hostile)]), null);
        var text = message.TextBody;

        // The line separator that would have shown a forged "Flags:" line is gone.
        Assert.Contains("Re-validate at hxxps://login[.]evil[.]example/nowFlags: none", text, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", text, StringComparison.Ordinal);
        Assert.Contains("\"IT <it@corp[.]example>\" <billing@evil[.]example>", text, StringComparison.Ordinal);
        Assert.Matches(@"Attachment:  invoice\.pdf_+ … _+\.exe \(", text);
        Assert.Equal("alert-9-9@example.com", message.MessageId);
    }

    [Fact]
    public void A_wave_is_one_digest_listing_the_first_and_counting_the_rest()
    {
        var listed = Enumerable.Range(1, AlertMessages.Listed).Select(i => Stored(i, Email(i))).ToList();

        var message = AlertMessages.Compose(Options, new PendingAlerts(120, 120, listed), new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));

        Assert.Equal("[Email Monitor] 120 risky emails since 2026-12-02 08:00 UTC", message.Subject);
        Assert.Contains("Subject 50", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("… and 70 more.", message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void What_the_sender_wrote_cannot_break_a_header_or_run_on()
    {
        var hostile = Email(1) with { Subject = "Hi\r\nBcc: victim@example.com\r\n\r\nbody" + new string('x', 500) };

        var message = AlertMessages.Compose(Options, new PendingAlerts(1, 1, [Stored(1, hostile)]), DateTimeOffset.UnixEpoch);
        using var written = new MemoryStream();
        message.WriteTo(written, TestContext.Current.CancellationToken);
        var parsed = MimeKit.MimeMessage.Load(new MemoryStream(written.ToArray()), TestContext.Current.CancellationToken);

        Assert.Empty(parsed.Bcc);
        Assert.NotNull(parsed.Subject);
        Assert.StartsWith("[Email Monitor] risk 90: HiBcc: victim@example[.]combody", parsed.Subject, StringComparison.Ordinal);
        Assert.EndsWith("…", parsed.Subject, StringComparison.Ordinal);
        Assert.True(parsed.Subject.Length < 120);
    }

    private static EmailEvent Email(int number) => new()
    {
        Id = $"default:INBOX:1:{number}",
        ReceivedAt = "2026-12-02T08:00:00Z",
        Mailbox = "default",
        Folder = "INBOX",
        Sender = "billing@evil.example",
        Subject = $"Subject {number}",
        SecurityFlags = ["dangerous_attachment", "double_extension"],
        RiskScore = 90,
    };

    private static StoredEvent Stored(long eventId, EmailEvent email) =>
        new(eventId, email.Mailbox, JsonSerializer.Serialize(email, EmailEventJson.Wire.EmailEvent));
}
