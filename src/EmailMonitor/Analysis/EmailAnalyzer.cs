using System.Globalization;
using System.Text;
using EmailMonitor.Pipeline;
using MimeKit;

namespace EmailMonitor.Analysis;

/// <summary>
/// Turns a raw message into its safe event: decoded headers, text, sanitized HTML, attachment
/// facts, security flags and a risk score. Any message yields an event; one that cannot be read
/// is marked malformed, never dropped.
/// </summary>
internal sealed class EmailAnalyzer(
    EmailHtmlSanitizer sanitizer,
    AttachmentInspector attachments,
    HeaderInspector headers,
    ILogger<EmailAnalyzer> logger)
{
    // Files of a forwarded message looked at, whatever it claims to carry.
    private const int MaxForwardedAttachments = 100;

    public EmailEvent Analyze(RawContent content, EmailOrigin origin)
    {
        try
        {
            // Persistent: parts refer to their range of the (seekable) source instead of copying it,
            // so a message with megabytes of attachments is not held twice.
            using var message = MimeMessage.Load(ParserOptions.Default, content.Rewind(), persistent: true);
            return Describe(content, origin, message);
        }
        catch (Exception ex)
        {
            // The loop edge for one message: whatever went wrong, the email still becomes an event.
            logger.UnreadableMessage(origin.MessageId, ex.GetType().Name);
            return Envelope(origin) with
            {
                SecurityFlags = [SecurityFlags.MalformedMessage],
                RiskScore = SecurityFlags.RiskScore([SecurityFlags.MalformedMessage]),
            };
        }
    }

    private EmailEvent Describe(RawContent content, EmailOrigin origin, MimeMessage message)
    {
        var from = message.From.Mailboxes.FirstOrDefault() ?? message.Sender;
        var text = message.TextBody;
        var html = message.HtmlBody;
        var flags = new List<string>();
        var safeHtml = string.Empty;

        if (html is not null)
        {
            var sanitized = sanitizer.Sanitize(html, extractText: text is null, InlineImages.Collect(message));
            safeHtml = sanitized.Html;
            text ??= sanitized.Text;
            AddIf(flags, SecurityFlags.ScriptRemoved, sanitized.ActiveContentRemoved);
            AddIf(flags, SecurityFlags.ExternalImages, sanitized.RemoteContentFound);
            AddIf(flags, SecurityFlags.SuspiciousLink, sanitized.SuspiciousLink);
        }

        headers.Inspect(message, from, flags);
        var described = AttachmentsOf(message).Select(Inspect).ToList();
        foreach (var flag in described.SelectMany(a => a.Flags))
        {
            AddIf(flags, flag, true);
        }

        AddIf(flags, SecurityFlags.MalformedMessage, IsMalformed(message, content));

        return EventLimits.Fit(Envelope(origin) with
        {
            Subject = message.Subject ?? string.Empty,
            Sender = from?.Address ?? string.Empty,
            SenderName = from?.Name ?? string.Empty,
            Recipients = [.. message.To.Mailboxes.Concat(message.Cc.Mailboxes).Select(m => m.Address).Distinct(StringComparer.OrdinalIgnoreCase)],
            Date = message.Headers.Contains(HeaderId.Date) ? FormatUtc(message.Date) : string.Empty,
            TextContent = text ?? string.Empty,
            HtmlContent = safeHtml,
            Attachments = described,
            SecurityFlags = flags,
            RiskScore = SecurityFlags.RiskScore(flags),
        });
    }

    // Attached files, and attached messages even when shown inline: a forwarded message is
    // what a phishing desk receives, and it carries what must be judged.
    private static IEnumerable<MimeEntity> AttachmentsOf(MimeMessage message) =>
        message.Attachments.Concat(message.BodyParts.OfType<MessagePart>()).Distinct();

    private AttachmentInfo Inspect(MimeEntity entity)
    {
        var described = attachments.Inspect(entity);
        if (entity is not MessagePart { Message: { } carried })
        {
            return described;
        }

        // A forwarded message (what people send a phishing desk) answers for what it carries, one
        // level deep (its files, not messages attached to it), and for its own sender, headers and links.
        var flags = carried.Attachments.OfType<MimePart>().Take(MaxForwardedAttachments).SelectMany(part => attachments.Inspect(part).Flags).ToList();
        headers.Inspect(carried, carried.From.Mailboxes.FirstOrDefault() ?? carried.Sender, flags);
        if (carried.HtmlBody is { } html)
        {
            var sanitized = sanitizer.Sanitize(html, extractText: false);
            AddIf(flags, SecurityFlags.ScriptRemoved, sanitized.ActiveContentRemoved);
            AddIf(flags, SecurityFlags.SuspiciousLink, sanitized.SuspiciousLink);
        }

        return described with { Flags = [.. described.Flags, .. flags.Except(described.Flags)] };
    }

    /// <summary>
    /// MimeKit reads almost anything; these are the signs it had to guess: no header at all, or a
    /// multipart whose closing boundary never comes (a truncated or tampered message).
    /// </summary>
    private static bool IsMalformed(MimeMessage message, RawContent content)
    {
        if (message.Headers.Count == 0)
        {
            return true;
        }

        foreach (var multipart in Multiparts(message.Body))
        {
            if (multipart.Boundary is { Length: > 0 } boundary
                && !content.Contains(Encoding.ASCII.GetBytes("--" + boundary + "--")))
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<Multipart> Multiparts(MimeEntity? entity)
    {
        if (entity is not Multipart multipart)
        {
            yield break;
        }

        yield return multipart;
        foreach (var nested in multipart.SelectMany(Multiparts))
        {
            yield return nested;
        }
    }

    private static EmailEvent Envelope(EmailOrigin origin) => new()
    {
        Id = origin.MessageId,
        ReceivedAt = FormatUtc(origin.ReceivedAt),
        Mailbox = origin.Mailbox,
        Folder = origin.Folder,
    };

    private static void AddIf(List<string> flags, string flag, bool condition)
    {
        if (condition && !flags.Contains(flag))
        {
            flags.Add(flag);
        }
    }

    private static string FormatUtc(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
