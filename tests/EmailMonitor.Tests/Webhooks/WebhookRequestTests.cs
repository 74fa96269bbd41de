using System.Text.Json;
using EmailMonitor.Webhooks;

namespace EmailMonitor.Tests.Webhooks;

public sealed class WebhookRequestTests
{
    private static readonly HashSet<string> Mailboxes = ["default", "phishing"];

    [Fact]
    public void A_webhook_needs_only_a_url_and_gets_safe_defaults()
    {
        var settings = Apply("""{"url": "https://hooks.example.com/in"}""", out var errors);

        Assert.Empty(errors);
        Assert.Equal(new WebhookSettings { Url = "https://hooks.example.com/in" }, settings);
        Assert.Equal("json", settings!.Format);
        Assert.True(settings.Enabled);
        Assert.False(settings.IncludeHtml);
        Assert.False(settings.Ordered);
        Assert.Equal(4, settings.MaxInFlight);
    }

    public static TheoryData<string, string, string> Hostile => new()
    {
        { """{"url": "javascript:alert(1)"}""", "url", "absolute http://" },
        { """{"url": "file:///etc/passwd"}""", "url", "absolute http://" },
        { """{"url": "ftp://example.com/"}""", "url", "absolute http://" },
        { """{"url": "/relative"}""", "url", "absolute http://" },
        { """{"url": "https://user:pass@example.com/"}""", "url", "user name or password" },
        { """{"url": "https://example.com/#frag"}""", "url", "fragment" },
        { """{"url": "http://127.0.0.1:8080/"}""", "url", "WEBHOOK_ALLOW_PRIVATE" },
        { """{"url": "http://localhost/"}""", "url", "WEBHOOK_ALLOW_PRIVATE" },
        { """{"url": "http://api.localhost./"}""", "url", "WEBHOOK_ALLOW_PRIVATE" },
        { """{"url": "http://[::1]/"}""", "url", "WEBHOOK_ALLOW_PRIVATE" },
        { """{"url": "http://[::ffff:127.0.0.1]/"}""", "url", "WEBHOOK_ALLOW_PRIVATE" },
        { """{"url": "http://169.254.169.254/latest/meta-data/"}""", "url", "WEBHOOK_ALLOW_PRIVATE" },
        { """{"url": "http://2130706433/"}""", "url", "WEBHOOK_ALLOW_PRIVATE" },
        { """{"url": "http://0x7f.1/"}""", "url", "WEBHOOK_ALLOW_PRIVATE" },
        { """{"url": "http://10.1.2.3/"}""", "url", "WEBHOOK_ALLOW_PRIVATE" },
        { """{"url": 42}""", "url", "must be a string" },
        { """{"format": "json"}""", "url", "is required" },
        { """{"url": "https://example.com/", "secret": "hunter2"}""", "secret", "whsec_" },
        { """{"url": "https://example.com/", "secret": "whsec_c2hvcnQ="}""", "secret", "whsec_" },
        { """{"url": "https://example.com/", "format": "xml"}""", "format", "json, slack, teams" },
        { """{"url": "https://example.com/", "min_risk_score": 101}""", "min_risk_score", "between 0 and 100" },
        { """{"url": "https://example.com/", "min_risk_score": -1}""", "min_risk_score", "between 0 and 100" },
        { """{"url": "https://example.com/", "min_risk_score": "high"}""", "min_risk_score", "whole number" },
        { """{"url": "https://example.com/", "flags": ["evil_flag"]}""", "flags", "is not a security flag" },
        { """{"url": "https://example.com/", "flags": "double_extension"}""", "flags", "list of strings" },
        { """{"url": "https://example.com/", "flags": [1, 2]}""", "flags", "list of strings" },
        { """{"url": "https://example.com/", "mailboxes": ["nowhere"]}""", "mailboxes", "no mailbox is named" },
        { """{"url": "https://example.com/", "max_in_flight": 0}""", "max_in_flight", "between 1 and 16" },
        { """{"url": "https://example.com/", "max_in_flight": 1000}""", "max_in_flight", "between 1 and 16" },
        { """{"url": "https://example.com/", "enabled": "yes"}""", "enabled", "true or false" },
        { """{"url": "https://example.com/", "callback": "https://evil.example/"}""", "callback", "is not a field of a webhook" },
        { "[1, 2]", "body", "JSON object" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void A_hostile_or_malformed_field_is_refused_with_a_reason_naming_it(string body, string field, string reason)
    {
        Assert.Null(Apply(body, out var errors));
        Assert.Contains(reason, Assert.Contains(field, errors).Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_over_long_url_is_refused() =>
        Assert.Contains("at most", WebhookRequest.CheckUrl("https://example.com/" + new string('a', 3000), allowPrivate: false), StringComparison.Ordinal);

    [Fact]
    public void With_WEBHOOK_ALLOW_PRIVATE_the_own_network_may_be_named_but_the_url_must_still_be_http()
    {
        Assert.Null(WebhookRequest.CheckUrl("http://127.0.0.1:9000/hook", allowPrivate: true));
        Assert.Null(WebhookRequest.CheckUrl("http://localhost/hook", allowPrivate: true));
        Assert.NotNull(WebhookRequest.CheckUrl("file:///etc/passwd", allowPrivate: true));
    }

    [Fact]
    public void A_patch_changes_what_it_names_and_null_removes_a_filter()
    {
        var current = Apply("""{"url": "https://example.com/a", "min_risk_score": 50, "flags": ["spf_fail"], "mailboxes": ["phishing"], "format": "slack"}""", out _)!;

        var changed = Apply("""{"min_risk_score": null, "enabled": false}""", out var errors, current);

        Assert.Empty(errors);
        Assert.Equal(current with { MinRiskScore = null, Enabled = false }, changed);
        Assert.Equal(["spf_fail"], changed!.Flags!);
    }

    [Fact]
    public void Filters_all_hold_for_an_event_to_match()
    {
        var settings = Apply("""{"url": "https://example.com/", "min_risk_score": 40, "flags": ["spf_fail", "dmarc_fail"], "mailboxes": ["phishing"]}""", out _)!;

        Assert.True(settings.Matches(new EventFacts("phishing", 40, new HashSet<string> { "dmarc_fail" })));
        Assert.False(settings.Matches(new EventFacts("phishing", 39, new HashSet<string> { "dmarc_fail" })));
        Assert.False(settings.Matches(new EventFacts("phishing", 90, new HashSet<string> { "external_images" })));
        Assert.False(settings.Matches(new EventFacts("default", 90, new HashSet<string> { "spf_fail" })));
        Assert.False((settings with { Enabled = false }).Matches(new EventFacts("phishing", 90, new HashSet<string> { "spf_fail" })));
    }

    private static WebhookSettings? Apply(string json, out Dictionary<string, string[]> errors, WebhookSettings? current = null)
    {
        errors = [];
        using var document = JsonDocument.Parse(json);
        var request = WebhookRequest.Read(document.RootElement, errors);
        return errors.Count > 0 ? null : request.Apply(current, allowPrivate: false, Mailboxes.Contains, errors);
    }
}
