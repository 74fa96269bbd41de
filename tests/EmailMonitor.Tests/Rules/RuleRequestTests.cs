using System.Text.Json;
using EmailMonitor.Rules;

namespace EmailMonitor.Tests.Rules;

/// <summary>Rule bodies as an administrator (or a hostile client with an administrator's token) may send them.</summary>
public sealed class RuleRequestTests
{
    private static readonly HashSet<string> Mailboxes = ["default", "phishing"];
    private static readonly HashSet<long> Webhooks = [3];

    [Fact]
    public void A_full_rule_is_read_with_its_lists_normalised()
    {
        var rule = Apply("""
            {"name": "Invoices from outside", "priority": 5,
             "match": {"senders": ["Boss@Corp.Example", "boss@corp.example"], "sender_domains": ["Evil.Example"],
                       "subject": "(?i)invoice", "flags": ["suspicious_link"], "min_risk_score": 10, "max_risk_score": 90,
                       "attachment_types": [".PDF", "image/*", "application/zip"], "mailboxes": ["phishing"], "tags": ["vip"]},
             "actions": {"tags": ["finance", "finance"], "score": 20, "webhooks": [3, 3], "stop": true}}
            """, out var errors);

        Assert.Empty(errors);
        Assert.NotNull(rule);
        Assert.Equal("Invoices from outside", rule.Name);
        Assert.True(rule.Enabled);
        Assert.Equal(5, rule.Priority);
        Assert.Equal(["boss@corp.example"], rule.Match.Senders);
        Assert.Equal(["evil.example"], rule.Match.SenderDomains);
        Assert.Equal([".pdf", "image/*", "application/zip"], rule.Match.AttachmentTypes);
        Assert.Equal(["finance"], rule.Actions.Tags);
        Assert.Equal([3L], rule.Actions.Webhooks);
        Assert.Equal(20, rule.Actions.Score);
        Assert.True(rule.Actions.Stop);
        // What is stored reads back as written.
        Assert.Equal(rule.ToJson(), RuleDefinition.FromJson(rule.ToJson()).ToJson());
    }

    [Theory]
    [InlineData("[]", "body", "must be a JSON object")]
    [InlineData("""{"match": {}, "actions": {"tags": ["a"]}}""", "name", "is required")]
    [InlineData("""{"name": "   ", "actions": {"tags": ["a"]}}""", "name", "not only spaces")]
    [InlineData("""{"name": "a\u0000b", "actions": {"tags": ["a"]}}""", "name", "control characters")]
    [InlineData("""{"name": "x"}""", "actions", "is required")]
    [InlineData("""{"name": "x", "actions": {}}""", "actions", "must do something")]
    [InlineData("""{"name": "x", "actions": {"score": 0}}""", "actions", "must do something")]
    [InlineData("""{"name": "x", "actions": {"tags": ["a"]}, "colour": "red"}""", "colour", "is not a field of a rule")]
    [InlineData("""{"name": "x", "match": {"subjet": "a"}, "actions": {"tags": ["a"]}}""", "match.subjet", "is not a field of a rule's match")]
    [InlineData("""{"name": "x", "actions": {"tag": ["a"]}}""", "actions.tag", "is not a field of a rule's actions")]
    [InlineData("""{"name": 7, "actions": {"tags": ["a"]}}""", "name", "must be a string")]
    [InlineData("""{"name": "x", "match": [], "actions": {"tags": ["a"]}}""", "match", "must be an object")]
    [InlineData("""{"name": "x", "match": {"flags": "spf_fail"}, "actions": {"tags": ["a"]}}""", "match.flags", "must be a list of strings")]
    [InlineData("""{"name": "x", "match": {"flags": ["spf_failed"]}, "actions": {"tags": ["a"]}}""", "match.flags", "is not a security flag")]
    [InlineData("""{"name": "x", "match": {"subject": "(unclosed"}, "actions": {"tags": ["a"]}}""", "match.subject", "is not a valid .NET regular expression")]
    [InlineData("""{"name": "x", "match": {"subject": ""}, "actions": {"tags": ["a"]}}""", "match.subject", "1–500 characters")]
    [InlineData("""{"name": "x", "match": {"min_risk_score": 101}, "actions": {"tags": ["a"]}}""", "match.min_risk_score", "between 0 and 100")]
    [InlineData("""{"name": "x", "match": {"min_risk_score": 60, "max_risk_score": 50}, "actions": {"tags": ["a"]}}""", "match.max_risk_score", "not be below")]
    [InlineData("""{"name": "x", "match": {"senders": ["not an address"]}, "actions": {"tags": ["a"]}}""", "match.senders", "is not an e-mail address")]
    [InlineData("""{"name": "x", "match": {"sender_domains": ["a@b.example"]}, "actions": {"tags": ["a"]}}""", "match.sender_domains", "is not a domain name")]
    [InlineData("""{"name": "x", "match": {"sender_domains": [".example"]}, "actions": {"tags": ["a"]}}""", "match.sender_domains", "is not a domain name")]
    [InlineData("""{"name": "x", "match": {"attachment_types": ["pdf"]}, "actions": {"tags": ["a"]}}""", "match.attachment_types", "neither a MIME type")]
    [InlineData("""{"name": "x", "match": {"attachment_types": ["*/*"]}, "actions": {"tags": ["a"]}}""", "match.attachment_types", "neither a MIME type")]
    [InlineData("""{"name": "x", "match": {"mailboxes": ["nowhere"]}, "actions": {"tags": ["a"]}}""", "match.mailboxes", "is not the name of a mailbox")]
    [InlineData("""{"name": "x", "actions": {"tags": ["<script>"]}}""", "actions.tags", "is not a tag")]
    [InlineData("""{"name": "x", "actions": {"tags": [""]}}""", "actions.tags", "is not a tag")]
    [InlineData("""{"name": "x", "actions": {"score": 101}}""", "actions.score", "between -100 and 100")]
    [InlineData("""{"name": "x", "actions": {"score": 1.5}}""", "actions.score", "must be a whole number")]
    [InlineData("""{"name": "x", "actions": {"webhooks": [4]}}""", "actions.webhooks", "no webhook has the id 4")]
    [InlineData("""{"name": "x", "actions": {"webhooks": [0]}}""", "actions.webhooks", "must be a list of ids")]
    [InlineData("""{"name": "x", "actions": {"webhooks": ["3"]}}""", "actions.webhooks", "must be a list of ids")]
    [InlineData("""{"name": "x", "actions": {"suppress": true, "tags": ["a"]}}""", "actions.suppress", "cannot go with tags")]
    [InlineData("""{"name": "x", "actions": {"suppress": "yes"}}""", "actions.suppress", "must be true or false")]
    [InlineData("""{"name": "x", "priority": -1, "actions": {"tags": ["a"]}}""", "priority", "between 0 and 10000")]
    [InlineData("""{"name": "x", "actions": {"suppress": true}}""", "match.max_risk_score", "is required when the rule suppresses")]
    [InlineData("""{"name": "x", "match": {"min_risk_score": 0}, "actions": {"score": -10}}""", "match.max_risk_score", "is required when the rule lowers the score")]
    public void A_malformed_or_hostile_rule_is_refused_naming_the_field(string json, string field, string problem)
    {
        var rule = Apply(json, out var errors);

        Assert.Null(rule);
        Assert.True(errors.ContainsKey(field), $"errors: {string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(",", e.Value)}"))}");
        Assert.Contains(problem, errors[field][0], StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_lists_and_patterns_are_refused()
    {
        var senders = string.Join(", ", Enumerable.Range(0, 101).Select(i => $"\"s{i}@example.com\""));
        Assert.Null(Apply($$$"""{"name": "x", "match": {"senders": [{{{senders}}}]}, "actions": {"tags": ["a"]}}""", out var errors));
        Assert.Contains("at most 100", errors["match.senders"][0], StringComparison.Ordinal);

        Assert.Null(Apply($$$"""{"name": "x", "match": {"subject": "{{{new string('a', 501)}}}"}, "actions": {"tags": ["a"]}}""", out errors));
        Assert.Contains("1–500 characters", errors["match.subject"][0], StringComparison.Ordinal);

        var tags = string.Join(", ", Enumerable.Range(0, 21).Select(i => $"\"t{i}\""));
        Assert.Null(Apply($$$"""{"name": "x", "actions": {"tags": [{{{tags}}}]}}""", out errors));
        Assert.Contains("at most 20 tags", errors["actions.tags"][0], StringComparison.Ordinal);

        Assert.Null(Apply($$$"""{"name": "{{{new string('n', 101)}}}", "actions": {"tags": ["a"]}}""", out errors));
        Assert.Contains("1–100 characters", errors["name"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        Assert.Null(Apply("""{"name": "", "match": {"flags": ["nope"], "subject": "("}, "actions": {"score": 500}}""", out var errors));

        Assert.Equal(["actions.score", "match.flags", "match.subject", "name"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_patch_changes_what_it_names_and_replaces_match_and_actions_whole()
    {
        var created = Apply("""{"name": "x", "match": {"flags": ["spf_fail"], "min_risk_score": 10}, "actions": {"tags": ["a"], "score": 5}}""", out _)!;

        var renamed = Apply("""{"name": "y", "enabled": false}""", out var errors, created);
        Assert.Empty(errors);
        Assert.Equal(created with { Name = "y", Enabled = false }, renamed);

        var rematched = Apply("""{"match": {"tags": ["a"], "max_risk_score": 30}, "actions": {"suppress": true}}""", out errors, created)!;
        Assert.Empty(errors);
        Assert.Equal(30, rematched.Match.MaxRiskScore);
        Assert.Null(rematched.Match.Flags);
        Assert.Null(rematched.Match.MinRiskScore);
        Assert.Equal(["a"], rematched.Match.Tags);
        Assert.True(rematched.Actions.Suppress);
        Assert.Null(rematched.Actions.Tags);
    }

    private static RuleDefinition? Apply(string json, out Dictionary<string, string[]> errors, RuleDefinition? current = null)
    {
        errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        using var body = JsonDocument.Parse(json);
        var request = RuleRequest.Read(body.RootElement, errors);
        return request.Apply(current, Mailboxes.Contains, Webhooks.Contains, errors) is { } rule && errors.Count == 0 ? rule : null;
    }
}
