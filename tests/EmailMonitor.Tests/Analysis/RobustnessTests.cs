using System.Text;
using EmailMonitor.Analysis;
using EmailMonitor.Tests.Support;
using MimeKit;

namespace EmailMonitor.Tests.Analysis;

/// <summary>Odd and broken messages: each still becomes an event with what could be read.</summary>
public sealed class RobustnessTests
{
    private static readonly Dictionary<string, int> CodePages = new()
    {
        ["iso-2022-jp"] = 50220, ["koi8-r"] = 20866, ["gb18030"] = 54936, ["windows-1251"] = 1251, ["windows-1252"] = 1252,
        ["windows-1250"] = 1250, ["iso-8859-7"] = 28597, ["shift_jis"] = 932, ["big5"] = 950,
    };

    public static TheoryData<string, string> Charsets => new()
    {
        { "iso-2022-jp", "日本語のテキストです" },
        { "koi8-r", "Русский текст" },
        { "gb18030", "中文文本内容" },
        { "windows-1251", "Текст в кодировке Windows" },
        { "windows-1252", "Café crème – naïve façade" },
        { "windows-1250", "Příliš žluťoučký kůň" },
        { "iso-8859-7", "Ελληνικό κείμενο" },
        { "shift_jis", "シフトJISのテキスト" },
        { "big5", "繁體中文內容" },
    };

    [Theory]
    [MemberData(nameof(Charsets))]
    public void Bodies_and_encoded_subjects_in_legacy_charsets_are_decoded(string charset, string text)
    {
        // The test's own encoder, by code page, whatever the process has registered; the service
        // under test must find the charset by its name in the message.
        var encoding = CodePagesEncodingProvider.Instance.GetEncoding(CodePages[charset])!;
        var subject = $"=?{charset}?B?{Convert.ToBase64String(encoding.GetBytes(text))}?=";
        var headers = Encoding.ASCII.GetBytes($"From: a@example.com\r\nSubject: {subject}\r\nContent-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
        var body = encoding.GetBytes(text + "\r\n");

        var email = Analyzers.Create().Analyze([.. headers, .. body]);

        Assert.Equal(text, email.Subject);
        Assert.Equal(text, email.TextContent.Trim());
        Assert.Empty(email.SecurityFlags);
    }

    [Fact]
    public void Rfc_2231_attachment_names_and_8_bit_headers_are_decoded()
    {
        var raw = "From: =?utf-8?Q?Jos=C3=A9?= <jose@example.com>\r\nSubject: Réunion demain\r\n"
            + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nvoir pièce jointe\r\n"
            + "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9%20final.pdf\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n" + Convert.ToBase64String(Encoding.ASCII.GetBytes("%PDF-1.4 x")) + "\r\n--b--\r\n";

        var email = Analyzers.Create().Analyze((Encoding.UTF8.GetBytes(raw)));

        Assert.Equal("José", email.SenderName);
        Assert.Equal("Réunion demain", email.Subject);
        Assert.Equal("résumé final.pdf", email.Attachments[0].Filename);
        Assert.Empty(email.SecurityFlags);
    }

    [Fact]
    public void A_ten_thousand_part_multipart_becomes_one_event()
    {
        var raw = new StringBuilder("From: a@example.com\r\nSubject: many parts\r\nContent-Type: multipart/mixed; boundary=p\r\n\r\n");
        for (var i = 0; i < 10_000; i++)
        {
            raw.Append("--p\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"part").Append(i).Append(".txt\"\r\n\r\npart ").Append(i).Append("\r\n");
        }

        raw.Append("--p--\r\n");

        var email = Analyzers.Create().Analyze((Encoding.ASCII.GetBytes(raw.ToString())));

        Assert.Equal("many parts", email.Subject);
        Assert.Equal(EventLimits.MaxAttachments, email.Attachments.Count);
        Assert.Equal(["attachments"], email.Truncated);
        Assert.Empty(email.SecurityFlags);
    }

    [Fact]
    public void A_50_MB_attachment_is_measured_and_hashed_without_failing()
    {
        var content = new byte[50 * 1024 * 1024];
        new Random(7).NextBytes(content);
        var message = Analyzers.WithAttachment("archive.bin", content);

        var email = Analyzers.Create().Analyze(message);

        Assert.Equal(content.Length, email.Attachments[0].Size);
        Assert.Equal([SecurityFlags.OversizedAttachment], email.Attachments[0].Flags);
    }

    [Theory]
    [InlineData("From: a@example.com\r\nSubject: cut off in the head")]
    [InlineData("From: a@example.com\r\nContent-Type: multipart/alternative; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/html\r\n\r\n<p>never closed")]
    [InlineData("From: a@example.com\r\nContent-Type: text/plain; charset=no-such-charset\r\n\r\nbytes \xff\xfe anyway")]
    [InlineData("From: a@example.com\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!")]
    [InlineData("Subject: \u0000\u0001\u0002\r\n\r\nbinary junk in headers")]
    [InlineData("From: a@example.com\r\nContent-Type: multipart/mixed\r\n\r\nmultipart without a boundary")]
    [InlineData("\r\n\r\n\r\n")]
    public void Truncated_and_broken_messages_still_become_events(string raw)
    {
        var email = Analyzers.Create().Analyze((Encoding.Latin1.GetBytes(raw)));

        Assert.Equal("default:INBOX:1:1", email.Id);
        Assert.InRange(email.RiskScore, 0, 100);
    }

    [Fact]
    public void A_message_attached_to_a_message_is_described_as_one_attachment()
    {
        var inner = Emails.Plain("inner", "inner body");
        var outer = new MimeMessage();
        outer.From.Add(MailboxAddress.Parse("a@example.com"));
        outer.Subject = "forwarded";
        var builder = new BodyBuilder { TextBody = "see below" };
        builder.Attachments.Add(new MessagePart { Message = inner, ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) });
        outer.Body = builder.ToMessageBody();

        var email = Analyzers.Create().Analyze(outer);

        var attachment = Assert.Single(email.Attachments);
        Assert.Equal("message/rfc822", attachment.DetectedType);
        Assert.True(attachment.Size > 0);
    }
}
