using System.Text;

namespace EmailMonitor.Benchmarks;

/// <summary>The messages benchmarks run on: built here, so every run measures the same bytes.</summary>
internal static class SampleMessages
{
    public static byte[] PlainText { get; } = Encoding.UTF8.GetBytes("""
        From: "Alice Sender" <alice@example.com>
        To: monitor@example.com
        Cc: carol@example.com
        Subject: Quarterly report
        Date: Thu, 26 Nov 2026 10:00:00 +0100
        Message-ID: <report-1@example.com>
        MIME-Version: 1.0
        Content-Type: text/plain; charset=utf-8

        """.ReplaceLineEndings("\r\n") + "\r\n\r\n" + string.Concat(Enumerable.Repeat("The numbers for the quarter are attached below in plain text.\r\n", 50)));

    /// <summary>
    /// About 50 KB of newsletter HTML as mail tools write it: nested layout tables, inline styles on
    /// nearly every element, links, images and a tracking pixel.
    /// </summary>
    public static string NewsletterHtml { get; } =
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Weekly</title></head><body style=\"margin:0;padding:0;background-color:#f4f4f4\">"
        + "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:collapse;background:#f4f4f4\"><tr><td align=\"center\">"
        + "<table width=\"600\" style=\"width:600px;max-width:600px;background:#ffffff;font-family:Helvetica,Arial,sans-serif;color:#333333\">"
        + string.Concat(Enumerable.Range(1, 80).Select(i =>
            $"<tr><td style=\"padding:16px 24px;border-bottom:1px solid #eeeeee;vertical-align:top\">"
            + $"<a href=\"https://news.example.com/story/{i}?utm_source=newsletter&amp;utm_medium=email\" style=\"color:#1a73e8;text-decoration:none\">"
            + $"<img src=\"https://cdn.example.com/img/{i}.jpg\" width=\"120\" height=\"80\" alt=\"Story {i}\" style=\"display:block;border:0;width:120px;height:80px\"></a>"
            + $"<h2 style=\"margin:8px 0 4px;font-size:18px;line-height:24px;font-weight:bold;color:#111111\">Headline number {i} for this week</h2>"
            + $"<p style=\"margin:0 0 8px;font-size:14px;line-height:20px;color:#555555\">A paragraph of newsletter text about story {i}, long enough to look like the real thing that people receive.</p>"
            + $"<span style=\"font-size:12px;color:#999999;text-transform:uppercase;letter-spacing:1px\">Category {i % 7}</span></td></tr>"))
        + "</table><img src=\"https://tracker.example/open.gif?u=123\" width=\"1\" height=\"1\" style=\"display:none\"></td></tr></table></body></html>";

    public static byte[] HtmlNewsletter { get; } = Encoding.UTF8.GetBytes(
        """
        From: "News" <news@example.com>
        To: monitor@example.com
        Subject: This week's newsletter
        MIME-Version: 1.0
        Content-Type: text/html; charset=utf-8

        """.ReplaceLineEndings("\r\n") + "\r\n\r\n" + NewsletterHtml);

    /// <summary>A short note with a 3 MB PDF attached, base64-encoded as mail clients send it.</summary>
    public static byte[] WithLargeAttachment { get; } = BuildWithAttachment(3 * 1024 * 1024);

    private static byte[] BuildWithAttachment(int size)
    {
        var content = new byte[size];
        new Random(42).NextBytes(content);
        "%PDF-1.7\n"u8.CopyTo(content);
        var builder = new MimeKit.BodyBuilder { TextBody = "The signed contract is attached." };
        builder.Attachments.Add("contract.pdf", content, new MimeKit.ContentType("application", "pdf"));
        var message = new MimeKit.MimeMessage();
        message.From.Add(new MimeKit.MailboxAddress("Legal", "legal@example.com"));
        message.To.Add(new MimeKit.MailboxAddress("Monitor", "monitor@example.com"));
        message.Subject = "Contract";
        message.Body = builder.ToMessageBody();
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return stream.ToArray();
    }
}
