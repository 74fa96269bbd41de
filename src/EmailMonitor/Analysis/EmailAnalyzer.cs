using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EmailMonitor.Mail;
using MimeKit;

namespace EmailMonitor.Analysis;

/// <summary>
/// Turns a raw message into its safe event: decoded headers, text, sanitized HTML and attachment
/// facts. Any message yields an event; one that cannot be read is marked malformed, never dropped.
/// </summary>
internal sealed class EmailAnalyzer(EmailHtmlSanitizer sanitizer, ILogger<EmailAnalyzer> logger)
{
    public const int MaxTextBytes = 100 * 1024;

    public EmailEvent Analyze(RawEmail raw)
    {
        try
        {
            using var content = new MemoryStream(raw.Content, writable: false);
            var message = MimeMessage.Load(content);
            return Describe(raw, message);
        }
        catch (Exception ex)
        {
            // The loop edge for one message: whatever went wrong, the email still becomes an event.
            logger.UnreadableMessage(raw.MessageId, ex.GetType().Name);
            return Envelope(raw) with { SecurityFlags = [SecurityFlags.MalformedMessage] };
        }
    }

    private EmailEvent Describe(RawEmail raw, MimeMessage message)
    {
        var from = message.From.Mailboxes.FirstOrDefault() ?? message.Sender;
        var text = message.TextBody;
        var html = message.HtmlBody;
        var flags = new List<string>();
        var safeHtml = string.Empty;

        if (html is not null)
        {
            var sanitized = sanitizer.Sanitize(html);
            safeHtml = sanitized.Html;
            text ??= sanitized.Text;
            if (sanitized.ActiveContentRemoved)
            {
                flags.Add(SecurityFlags.ScriptRemoved);
            }

            if (sanitized.RemoteContentFound)
            {
                flags.Add(SecurityFlags.ExternalImages);
            }
        }

        return Envelope(raw) with
        {
            Subject = message.Subject ?? string.Empty,
            Sender = from?.Address ?? string.Empty,
            SenderName = from?.Name ?? string.Empty,
            Recipients = [.. message.To.Mailboxes.Concat(message.Cc.Mailboxes).Select(m => m.Address).Distinct(StringComparer.OrdinalIgnoreCase)],
            Date = message.Headers.Contains(HeaderId.Date) ? FormatUtc(message.Date) : string.Empty,
            TextContent = Truncate(text ?? string.Empty, MaxTextBytes),
            HtmlContent = safeHtml,
            Attachments = [.. message.Attachments.Select(Describe)],
            SecurityFlags = flags,
        };
    }

    private static EmailEvent Envelope(RawEmail raw) => new()
    {
        Id = raw.MessageId,
        ReceivedAt = FormatUtc(raw.ReceivedAt),
        Mailbox = raw.Folder.Mailbox,
        Folder = raw.Folder.Folder,
    };

    private static AttachmentInfo Describe(MimeEntity entity)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var sink = new HashingStream(hash);
        switch (entity)
        {
            case MimePart part:
                part.Content?.DecodeTo(sink);
                break;
            case MessagePart attached:
                attached.Message?.WriteTo(sink);
                break;
        }

        var name = entity.ContentDisposition?.FileName ?? entity.ContentType.Name;
        return new AttachmentInfo
        {
            Filename = name ?? string.Empty,
            ContentType = entity.ContentType.MimeType,
            Size = sink.Length,
            Sha256 = Convert.ToHexStringLower(hash.GetHashAndReset()),
        };
    }

    private static string FormatUtc(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    // Cuts at a character boundary so the result is still valid UTF-8 of at most maxBytes.
    private static string Truncate(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetMaxByteCount(text.Length) <= maxBytes || Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        var bytes = 0;
        var end = 0;
        while (end < text.Length)
        {
            var length = char.IsSurrogatePair(text, end) ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(text.AsSpan(end, length));
            if (bytes + size > maxBytes)
            {
                break;
            }

            bytes += size;
            end += length;
        }

        return text[..end];
    }
}
