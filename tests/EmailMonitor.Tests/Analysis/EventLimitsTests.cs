using System.Text;
using System.Text.Json;
using EmailMonitor.Analysis;
using EmailMonitor.Tests.Support;
using MimeKit;

namespace EmailMonitor.Tests.Analysis;

/// <summary>What one event may weigh, whatever the email held.</summary>
public sealed class EventLimitsTests
{
    [Theory]
    [InlineData('&')]
    [InlineData('<')]
    [InlineData('"')]
    [InlineData('\u0001')]
    [InlineData('é')]
    public void A_megabytes_html_part_is_cut_to_the_limit_as_it_travels_and_says_so(char filler)
    {
        var html = "<div><p>" + new string(filler, 4 * 1024 * 1024) + "</p><p>end</p></div>";

        var email = Analyzers.Create().Analyze(Analyzers.Html(html));

        var json = JsonSerializer.SerializeToUtf8Bytes(email, EmailEventJson.Wire.EmailEvent);
        Assert.InRange(EventLimits.JsonBytes(email.HtmlContent), EventLimits.MaxHtmlJsonBytes / 2, EventLimits.MaxHtmlJsonBytes);
        Assert.InRange(json.Length, 0, EventLimits.MaxHtmlJsonBytes + (2 * EventLimits.MaxTextBytes * 6));
        Assert.StartsWith("<div><p>", email.HtmlContent);
        Assert.EndsWith("</p></div>", email.HtmlContent);
        Assert.Contains("html_content", email.Truncated);
    }

    [Fact]
    public void An_email_within_the_limits_is_not_cut_and_says_nothing()
    {
        var email = Analyzers.Create().Analyze(Analyzers.Html("<p>" + new string('&', 100_000) + "</p>"));

        Assert.Equal("<p>" + string.Concat(Enumerable.Repeat("&amp;", 100_000)) + "</p>", email.HtmlContent.TrimEnd());
        Assert.Empty(email.Truncated);
    }

    [Fact]
    public void The_html_is_not_escaped_for_a_page_in_the_json_it_travels_in()
    {
        var email = Analyzers.Create().Analyze(Analyzers.Html("<p>a &amp; b</p>"));

        var json = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(email, EmailEventJson.Wire.EmailEvent));

        Assert.Contains("\"html_content\":\"<p>a &amp; b</p>", json);
    }

    [Fact]
    public void Thousands_of_attachments_are_listed_up_to_the_limit_with_every_flagged_one_kept()
    {
        var builder = new BodyBuilder { TextBody = "many files" };
        for (var i = 0; i < 2000; i++)
        {
            builder.Attachments.Add($"note{i}.txt", Encoding.ASCII.GetBytes($"note {i}"));
        }

        builder.Attachments.Add("invoice.pdf.exe", [0x4D, 0x5A, 0x90, 0x00]);
        var message = new MimeMessage { Subject = "many", Body = builder.ToMessageBody() };
        message.From.Add(MailboxAddress.Parse("a@example.com"));

        var email = Analyzers.Create().Analyze(message);

        Assert.Equal(EventLimits.MaxAttachments, email.Attachments.Count);
        Assert.Contains(email.Attachments, a => a.Filename == "invoice.pdf.exe");
        Assert.Contains(SecurityFlags.DangerousAttachment, email.SecurityFlags);
        Assert.Equal(["attachments"], email.Truncated);
    }

    [Fact]
    public void Huge_headers_are_cut_on_a_character_boundary()
    {
        var message = Emails.Plain(new string('é', 10_000));
        for (var i = 0; i < 3000; i++)
        {
            message.To.Add(MailboxAddress.Parse($"r{i}@example.com"));
        }

        var email = Analyzers.Create().Analyze(message);

        Assert.Equal(EventLimits.MaxHeaderTextBytes / 2, email.Subject.Length);
        Assert.Equal(EventLimits.MaxRecipients, email.Recipients.Count);
        Assert.Equal(["subject", "recipients"], email.Truncated);
    }

    [Fact]
    public void Addresses_longer_than_any_real_one_are_cut()
    {
        var message = Emails.Plain("long addresses");
        message.From.Clear();
        message.From.Add(new MailboxAddress("Sender", new string('s', 40_000) + "@example.com"));
        message.To.Add(new MailboxAddress("Other", new string('r', 40_000) + "@example.com"));

        var email = Analyzers.Create().Analyze(message);

        Assert.InRange(Encoding.UTF8.GetByteCount(email.Sender), 1, EventLimits.MaxShortTextBytes);
        Assert.All(email.Recipients, r => Assert.InRange(Encoding.UTF8.GetByteCount(r), 1, EventLimits.MaxShortTextBytes));
        Assert.Equal(["sender", "recipients"], email.Truncated);
    }
}
