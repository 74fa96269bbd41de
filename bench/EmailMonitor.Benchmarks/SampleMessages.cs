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

    public static byte[] HtmlNewsletter { get; } = Encoding.UTF8.GetBytes(
        """
        From: "News" <news@example.com>
        To: monitor@example.com
        Subject: This week's newsletter
        MIME-Version: 1.0
        Content-Type: text/html; charset=utf-8

        """.ReplaceLineEndings("\r\n") + "\r\n\r\n<html><body><table width=\"600\" style=\"font-family:Arial;color:#333\">"
        + string.Concat(Enumerable.Range(1, 60).Select(i =>
            $"<tr><td style=\"padding:8px;border-bottom:1px solid #eee\"><a href=\"https://example.com/story/{i}\"><img src=\"https://cdn.example.com/{i}.png\" width=\"80\"></a>"
            + $"<h3 style=\"margin:0\">Story {i}</h3><p style=\"font-size:14px;line-height:1.4\">A paragraph of newsletter text about story {i}, long enough to look real.</p></td></tr>"))
        + "</table><img src=\"https://tracker.example/open.gif\" width=\"1\" height=\"1\"></body></html>");
}
