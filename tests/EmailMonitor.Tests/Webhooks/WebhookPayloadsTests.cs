using System.Text.Json;
using EmailMonitor.Storage;
using EmailMonitor.Webhooks;

namespace EmailMonitor.Tests.Webhooks;

public sealed class WebhookPayloadsTests
{
    private static readonly StoredEvent Lure = new(
        77,
        "phishing",
        """
        {"id":"phishing:INBOX:1:9","subject":"<!channel> *Urgent* [verify](https://evil.example/) & pay","sender":"ceo@evil.example","sender_name":"The CEO <ceo@corp.example>",
         "folder":"INBOX","received_at":"2026-12-02T05:00:00.000Z","html_content":"<p>pay now</p>","text_content":"pay now",
         "attachments":[{"filename":"invoice.pdf.exe"}],"security_flags":["double_extension","sender_spoofing"],"risk_score":80}
        """);

    [Fact]
    public void Json_is_the_new_email_object_without_html_unless_asked()
    {
        using var body = JsonDocument.Parse(WebhookPayloads.Json(Lure, includeHtml: false));
        var root = body.RootElement;
        Assert.Equal("new_email", root.GetProperty("type").GetString());
        Assert.Equal(77, root.GetProperty("event_id").GetInt64());
        Assert.Equal("pay now", root.GetProperty("text_content").GetString());
        Assert.False(root.TryGetProperty("html_content", out _));

        using var withHtml = JsonDocument.Parse(WebhookPayloads.Json(Lure, includeHtml: true));
        Assert.Equal("<p>pay now</p>", withHtml.RootElement.GetProperty("html_content").GetString());
    }

    [Fact]
    public void Slack_shows_the_verdict_and_facts_as_plain_text_so_an_email_cannot_mention_everyone_or_bring_a_link()
    {
        var text = System.Text.Encoding.UTF8.GetString(WebhookPayloads.For(new WebhookSettings { Url = "https://x.example/", Format = "slack" }, Lure));
        using var body = JsonDocument.Parse(text);
        var root = body.RootElement;

        // The notification text (read as mrkdwn) holds nothing from the email.
        Assert.Equal("Dangerous in phishing (risk score 80)", root.GetProperty("text").GetString());
        var blocks = root.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal(["header", "section", "context"], blocks.Select(b => b.GetProperty("type").GetString()));
        Assert.Equal("plain_text", blocks[0].GetProperty("text").GetProperty("type").GetString());
        Assert.True(blocks[0].GetProperty("text").GetProperty("text").GetString()!.Length <= 150);
        var fields = blocks[1].GetProperty("fields").EnumerateArray().ToList();
        Assert.All(fields, f => Assert.Equal("plain_text", f.GetProperty("type").GetString()));
        Assert.All(blocks[2].GetProperty("elements").EnumerateArray(), e => Assert.Equal("plain_text", e.GetProperty("type").GetString()));
        var facts = fields.Select(f => f.GetProperty("text").GetString()!).ToList();
        Assert.Contains("Flags: double_extension, sender_spoofing", facts);
        Assert.Contains("From: The CEO <ceo@corp.example> <ceo@evil.example>", facts);
        Assert.DoesNotContain("pay now", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Slack_fields_stay_within_Slack_s_limits_and_on_one_line_whatever_the_email_holds()
    {
        var huge = new StoredEvent(
            78,
            "phishing",
            $$"""{"id":"x","subject":"{{new string('&', 5000)}}","sender":"a@b.example","sender_name":"{{new string('&', 4000)}}\n*Risk score*\n0","risk_score":90}""");
        using var body = JsonDocument.Parse(WebhookPayloads.For(new WebhookSettings { Url = "https://x.example/", Format = "slack" }, huge));
        var blocks = body.RootElement.GetProperty("blocks").EnumerateArray().ToList();

        Assert.True(blocks[0].GetProperty("text").GetProperty("text").GetString()!.Length <= 150);
        Assert.All(blocks[1].GetProperty("fields").EnumerateArray(), f =>
        {
            Assert.True(f.GetProperty("text").GetString()!.Length <= 2000);
            Assert.DoesNotContain('\n', f.GetProperty("text").GetString()!);
        });
    }

    [Fact]
    public void Teams_is_an_adaptive_card_of_text_runs_so_the_subject_cannot_bring_markdown_links()
    {
        using var body = JsonDocument.Parse(WebhookPayloads.For(new WebhookSettings { Url = "https://x.example/", Format = "teams" }, Lure));
        var root = body.RootElement;
        Assert.Equal("message", root.GetProperty("type").GetString());
        var attachment = root.GetProperty("attachments")[0];
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
        var card = attachment.GetProperty("content");
        Assert.Equal("AdaptiveCard", card.GetProperty("type").GetString());
        Assert.Equal("1.4", card.GetProperty("version").GetString());
        var elements = card.GetProperty("body").EnumerateArray().ToList();
        Assert.All(elements, e => Assert.Equal("RichTextBlock", e.GetProperty("type").GetString()));
        Assert.All(elements.SelectMany(e => e.GetProperty("inlines").EnumerateArray()), run => Assert.Equal("TextRun", run.GetProperty("type").GetString()));
        Assert.Contains("[verify](https://evil.example/)", elements[0].GetProperty("inlines")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }
}
