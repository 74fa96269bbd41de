using System.Security.Cryptography;
using System.Text;
using EmailMonitor.Analysis;
using EmailMonitor.Tests.Support;
using MimeKit;

namespace EmailMonitor.Tests.Analysis;

public sealed class EmailAnalyzerTests
{
    private readonly EmailAnalyzer _analyzer = Create(allowRemoteContent: false);

    [Fact]
    public void Decodes_headers_and_reads_the_text_part()
    {
        var email = _analyzer.Analyze(Raw("""
            From: =?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <juergen@example.de>
            To: a@example.com, "B" <b@example.com>
            Cc: c@example.com
            Subject: =?ISO-8859-1?Q?Gr=FC=DFe?=
            Date: Thu, 26 Nov 2026 10:00:00 +0100
            Content-Type: text/plain; charset=utf-8

            Hallo Welt
            """));

        Assert.Equal("Grüße", email.Subject);
        Assert.Equal("juergen@example.de", email.Sender);
        Assert.Equal("Jürgen Müller", email.SenderName);
        Assert.Equal(["a@example.com", "b@example.com", "c@example.com"], email.Recipients);
        Assert.Equal("2026-11-26T09:00:00.000Z", email.Date);
        Assert.Equal("Hallo Welt", email.TextContent.Trim());
        Assert.Empty(email.SecurityFlags);
    }

    [Fact]
    public void Html_is_sanitized_and_text_is_derived_from_it_when_there_is_no_text_part()
    {
        var email = _analyzer.Analyze(Raw("""
            From: a@example.com
            Subject: html only
            Content-Type: text/html; charset=utf-8

            <div onclick="steal()">Hello <b>there</b><script>alert(1)</script></div><p>Second <a href="https://example.com/x">link</a></p><img src="https://tracker.example/pixel.gif">
            """));

        Assert.DoesNotContain("script", email.HtmlContent, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onclick", email.HtmlContent, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("tracker.example", email.HtmlContent);
        Assert.Contains("<b>there</b>", email.HtmlContent);
        Assert.Contains("rel=\"noopener noreferrer\"", email.HtmlContent);
        Assert.Contains("target=\"_blank\"", email.HtmlContent);
        Assert.Equal("Hello there\nSecond link", email.TextContent);
        Assert.Equal([SecurityFlags.ScriptRemoved, SecurityFlags.ExternalImages], email.SecurityFlags);
    }

    [Fact]
    public void Remote_images_stay_when_remote_content_is_allowed_and_are_still_flagged()
    {
        var email = Create(allowRemoteContent: true).Analyze(Raw("""
            From: a@example.com
            Content-Type: text/html

            <p>Hi<img src="https://images.example/logo.png"></p>
            """));

        Assert.Contains("https://images.example/logo.png", email.HtmlContent);
        Assert.Equal([SecurityFlags.ExternalImages], email.SecurityFlags);
    }

    [Fact]
    public void Inline_images_referenced_by_cid_travel_inside_the_sanitized_html()
    {
        var builder = new BodyBuilder { HtmlBody = "<p>Hello <img src=\"cid:logo\"></p>" };
        var logo = builder.LinkedResources.Add("logo.png", Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUg=="), new ContentType("image", "png"));
        logo.ContentId = "logo";
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("a@example.com"));
        message.Body = builder.ToMessageBody();

        var email = _analyzer.Analyze(message);

        Assert.Contains("src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==\"", email.HtmlContent);
        Assert.Empty(email.SecurityFlags);
    }

    [Fact]
    public void Attachments_are_described_from_their_decoded_content()
    {
        var content = Encoding.ASCII.GetBytes("%PDF-1.7 fake pdf body");
        var builder = new BodyBuilder { TextBody = "see attached" };
        builder.Attachments.Add("report.pdf", content, new ContentType("application", "pdf"));
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("a@example.com"));
        message.Body = builder.ToMessageBody();
        using var stream = new MemoryStream();
        message.WriteTo(stream, TestContext.Current.CancellationToken);

        var email = _analyzer.Analyze(stream.ToArray());

        var attachment = Assert.Single(email.Attachments);
        Assert.Equal("report.pdf", attachment.Filename);
        Assert.Equal("application/pdf", attachment.ContentType);
        Assert.Equal(content.Length, attachment.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), attachment.Sha256);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\0\0\0\0")]
    [InlineData("no headers at all, just text")]
    [InlineData("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\ntruncated")]
    public void Any_bytes_become_an_event_never_an_exception(string content)
    {
        var email = _analyzer.Analyze(Encoding.UTF8.GetBytes(content), "default:INBOX:1:9");

        Assert.Equal("default:INBOX:1:9", email.Id);
        Assert.NotNull(email.Subject);
    }

    [Fact]
    public void Text_content_is_capped_at_100_KiB_of_utf8_without_splitting_a_character()
    {
        var body = string.Concat(Enumerable.Repeat("é", 80_000));
        var email = _analyzer.Analyze(Raw($"From: a@example.com\nContent-Type: text/plain; charset=utf-8\n\n{body}"));

        Assert.True(Encoding.UTF8.GetByteCount(email.TextContent) <= EventLimits.MaxTextBytes);
        Assert.True(Encoding.UTF8.GetByteCount(email.TextContent) > EventLimits.MaxTextBytes - 4);
        Assert.All(email.TextContent, c => Assert.Equal('é', c));
    }

    private static EmailAnalyzer Create(bool allowRemoteContent) =>
        Analyzers.Create(new AnalysisOptions { AllowRemoteContent = allowRemoteContent });

    private static byte[] Raw(string message) => Encoding.UTF8.GetBytes(message.ReplaceLineEndings("\r\n"));
}
