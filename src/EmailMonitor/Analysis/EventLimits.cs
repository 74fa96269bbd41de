using System.Text;
using System.Text.Json;
using AngleSharp.Html.Parser;

namespace EmailMonitor.Analysis;

/// <summary>
/// Bounds on what one event may carry, so that one email never costs other clients anything: a
/// few megabytes of '&amp;' in an HTML part would otherwise become a frame of tens of megabytes
/// for every client, and a page of the REST API hundreds. What is cut is named in the event's
/// <c>truncated</c>; the analysis (flags, score) has already seen everything.
/// </summary>
internal static class EventLimits
{
    /// <summary>html_content as it travels, JSON escaping included.</summary>
    public const int MaxHtmlJsonBytes = 1024 * 1024;

    public const int MaxTextBytes = 100 * 1024;

    public const int MaxHeaderTextBytes = 4 * 1024;

    public const int MaxRecipients = 1000;

    public const int MaxAttachments = 500;

    public const int MaxFilenameBytes = 1024;

    /// <summary>An address (RFC 5321 allows 254 octets), a media type; far above any real one.</summary>
    public const int MaxShortTextBytes = 512;

    // Below this many UTF-8 bytes, no JSON escaping (at most six bytes a character) can reach the limit.
    private const int SurelyFitsHtmlBytes = MaxHtmlJsonBytes / 6;

    public static EmailEvent Fit(EmailEvent email)
    {
        var truncated = new List<string>();
        var (html, htmlCut) = FitHtml(email.HtmlContent);
        var (text, textCut) = Truncate(email.TextContent, MaxTextBytes);
        var (subject, subjectCut) = Truncate(email.Subject, MaxHeaderTextBytes);
        var (senderName, senderNameCut) = Truncate(email.SenderName, MaxHeaderTextBytes);
        var (sender, senderCut) = Truncate(email.Sender, MaxShortTextBytes);
        var recipients = email.Recipients.Take(MaxRecipients).Select(r => Truncate(r, MaxShortTextBytes)).ToList();
        AddIf(truncated, "subject", subjectCut);
        AddIf(truncated, "sender", senderCut);
        AddIf(truncated, "sender_name", senderNameCut);
        AddIf(truncated, "recipients", email.Recipients.Count > MaxRecipients || recipients.Any(r => r.Cut));
        AddIf(truncated, "text_content", textCut);
        AddIf(truncated, "html_content", htmlCut);
        AddIf(truncated, "attachments", email.Attachments.Count > MaxAttachments);
        return email with
        {
            Subject = subject,
            Sender = sender,
            SenderName = senderName,
            Recipients = email.Recipients.Count > MaxRecipients || recipients.Any(r => r.Cut) ? [.. recipients.Select(r => r.Text)] : email.Recipients,
            TextContent = text,
            HtmlContent = html,
            Attachments = FitAttachments(email.Attachments),
            Truncated = truncated,
        };
    }

    /// <summary>Cuts at a character boundary so the result is still valid UTF-8 of at most <paramref name="maxBytes"/>.</summary>
    public static (string Text, bool Cut) Truncate(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetMaxByteCount(text.Length) <= maxBytes || Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return (text, false);
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

        return (text[..end], true);
    }

    /// <summary>The JSON-escaped size of a string in an event, without its quotes.</summary>
    public static int JsonBytes(string value) => JsonEncodedText.Encode(value, EmailEventJson.WireEncoder).EncodedUtf8Bytes.Length;

    // The sanitized HTML is cut and parsed again, so what is kept is whole markup: the parser
    // closes open elements and drops a tag or attribute the cut went through. Sanitized markup
    // holds no raw '<' in text or attributes, so a cut can only lose markup, never make any.
    private static (string Html, bool Cut) FitHtml(string html)
    {
        if (html.Length <= SurelyFitsHtmlBytes / 3 || Encoding.UTF8.GetByteCount(html) <= SurelyFitsHtmlBytes || JsonBytes(html) <= MaxHtmlJsonBytes)
        {
            return (html, false);
        }

        var parser = new HtmlParser();
        var keep = html.Length;
        while (true)
        {
            // Shrink in proportion to the overshoot, a little more each round, until it fits.
            keep = (int)(keep * Math.Min(0.95, (double)MaxHtmlJsonBytes / JsonBytes(html[..keep])));
            if (keep > 0 && char.IsLowSurrogate(html[keep]))
            {
                keep--;
            }

            using var document = parser.ParseDocument("<!doctype html><html><body>" + html[..keep]);
            var fitted = document.Body!.InnerHtml;
            if (JsonBytes(fitted) <= MaxHtmlJsonBytes)
            {
                return (fitted, true);
            }
        }
    }

    // Every attachment that carries a flag stays listed; the others fill the list in order.
    private static IReadOnlyList<AttachmentInfo> FitAttachments(IReadOnlyList<AttachmentInfo> attachments)
    {
        var fitted = attachments;
        if (attachments.Count > MaxAttachments)
        {
            var flagged = attachments.Count(a => a.Flags.Count > 0);
            var unflaggedRoom = Math.Max(0, MaxAttachments - flagged);
            fitted = [.. attachments.Where(a => a.Flags.Count > 0 || unflaggedRoom-- > 0).Take(MaxAttachments)];
        }

        return fitted.Any(IsOversized)
            ? [.. fitted.Select(a => a with
            {
                Filename = Truncate(a.Filename, MaxFilenameBytes).Text,
                ContentType = Truncate(a.ContentType, MaxShortTextBytes).Text,
            })]
            : fitted;
    }

    private static bool IsOversized(AttachmentInfo attachment) =>
        Encoding.UTF8.GetByteCount(attachment.Filename) > MaxFilenameBytes || Encoding.UTF8.GetByteCount(attachment.ContentType) > MaxShortTextBytes;

    private static void AddIf(List<string> list, string name, bool condition)
    {
        if (condition)
        {
            list.Add(name);
        }
    }
}
