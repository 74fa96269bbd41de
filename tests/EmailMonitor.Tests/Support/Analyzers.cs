using System.Text;
using EmailMonitor.Analysis;
using EmailMonitor.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace EmailMonitor.Tests.Support;

/// <summary>The analyzer as the service builds it, with chosen options.</summary>
internal static class Analyzers
{
    public static EmailAnalyzer Create(AnalysisOptions? options = null)
    {
        var wrapped = Options.Create(options ?? new AnalysisOptions());
        return new EmailAnalyzer(
            new EmailHtmlSanitizer(wrapped), new AttachmentInspector(wrapped), new HeaderInspector(wrapped), NullLogger<EmailAnalyzer>.Instance);
    }

    public static EmailEvent Analyze(this EmailAnalyzer analyzer, MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return analyzer.Analyze(stream.ToArray());
    }

    public static EmailEvent Analyze(this EmailAnalyzer analyzer, string message) =>
        analyzer.Analyze(Encoding.UTF8.GetBytes(message.ReplaceLineEndings("\r\n")));

    public static EmailEvent Analyze(this EmailAnalyzer analyzer, byte[] content, string messageId = "default:INBOX:1:1")
    {
        using var raw = RawContent.FromBytes(content);
        return analyzer.Analyze(raw, new EmailOrigin(messageId, "default", "INBOX", DateTimeOffset.UtcNow));
    }

    /// <summary>A message whose only body is the given HTML.</summary>
    public static MimeMessage Html(string html)
    {
        var message = new MimeMessage { Subject = "html", Body = new TextPart("html") { Text = html } };
        message.From.Add(new MailboxAddress("Alice", "alice@example.com"));
        message.To.Add(new MailboxAddress("Monitor", "monitor@example.com"));
        return message;
    }

    /// <summary>A message with one attachment of the given name, declared type and bytes.</summary>
    public static MimeMessage WithAttachment(string fileName, byte[] content, string contentType = "application/octet-stream")
    {
        var builder = new BodyBuilder { TextBody = "Please see the attachment." };
        builder.Attachments.Add(fileName, content, ContentType.Parse(contentType));
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Alice", "alice@example.com"));
        message.To.Add(new MailboxAddress("Monitor", "monitor@example.com"));
        message.Subject = "attachment";
        message.Body = builder.ToMessageBody();
        return message;
    }
}
