using System.Text.Json;
using EmailMonitor.Analysis;

namespace EmailMonitor.Rules;

/// <summary>
/// A <c>POST</c> or <c>PATCH /api/admin/rules</c> body, read with an error for each field of the
/// wrong type or unknown (<c>match.subjet</c> named as such), then checked with an error for each
/// value out of place. In a PATCH, absent fields stay as they are; <c>match</c> and <c>actions</c>,
/// when given, replace the ones there were as a whole.
/// </summary>
internal sealed class RuleRequest
{
    public const int MaxNameLength = 100;
    public const int MaxPatternLength = 500;
    private const int MaxListLength = 100;
    private const int MaxEntryLength = 320;

    private RuleRequest()
    {
    }

    public string? Name { get; private init; }

    public bool? Enabled { get; private init; }

    public int? Priority { get; private init; }

    public RuleMatch? Match { get; private init; }

    public RuleActions? Actions { get; private init; }

    public static RuleRequest Read(JsonElement body, Dictionary<string, string[]> errors)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["must be a JSON object"];
            return new RuleRequest();
        }

        var reader = new JsonFieldReader(body, errors, "a rule");
        var request = new RuleRequest
        {
            Name = reader.Text("name"),
            Enabled = reader.Boolean("enabled"),
            Priority = reader.Integer("priority"),
            Match = reader.Object("match") is { } match ? ReadMatch(match, errors) : null,
            Actions = reader.Object("actions") is { } actions ? ReadActions(actions, errors) : null,
        };
        reader.RefuseOthers();
        return request;
    }

    private static RuleMatch ReadMatch(JsonElement body, Dictionary<string, string[]> errors)
    {
        var reader = new JsonFieldReader(body, errors, "a rule's match", "match.");
        var match = new RuleMatch
        {
            Senders = reader.TextList("senders"),
            SenderDomains = reader.TextList("sender_domains"),
            Subject = reader.Text("subject"),
            Flags = reader.TextList("flags"),
            MinRiskScore = reader.Integer("min_risk_score"),
            MaxRiskScore = reader.Integer("max_risk_score"),
            AttachmentTypes = reader.TextList("attachment_types"),
            Mailboxes = reader.TextList("mailboxes"),
            Tags = reader.TextList("tags"),
        };
        reader.RefuseOthers();
        return match;
    }

    private static RuleActions ReadActions(JsonElement body, Dictionary<string, string[]> errors)
    {
        var reader = new JsonFieldReader(body, errors, "a rule's actions", "actions.");
        var actions = new RuleActions
        {
            Tags = reader.TextList("tags"),
            Score = reader.Integer("score"),
            Webhooks = reader.IdList("webhooks"),
            Suppress = reader.Boolean("suppress") ?? false,
            Stop = reader.Boolean("stop") ?? false,
        };
        reader.RefuseOthers();
        return actions;
    }

    /// <summary>
    /// The rule this request makes of <paramref name="current"/> (null: a new rule), or null with the
    /// reasons in <paramref name="errors"/>.
    /// </summary>
    public RuleDefinition? Apply(RuleDefinition? current, Func<string, bool> mailboxExists, Func<long, bool> webhookExists, Dictionary<string, string[]> errors)
    {
        var name = Name ?? current?.Name;
        if (name is null)
        {
            errors.TryAdd("name", ["is required"]);
        }
        else if (Name is not null && (Name.Trim().Length == 0 || Name.Length > MaxNameLength || Name.Any(char.IsControl)))
        {
            errors["name"] = [$"must be 1–{MaxNameLength} characters, not only spaces, without control characters"];
        }

        if (Priority is < 0 or > 10_000)
        {
            errors["priority"] = ["must be between 0 and 10000 (lower runs first)"];
        }

        if (Match is { } match)
        {
            CheckMatch(match, mailboxExists, errors);
        }

        var actions = Actions ?? current?.Actions;
        if (actions is null)
        {
            errors.TryAdd("actions", ["is required: what the rule does (tags, score, webhooks, suppress, stop)"]);
        }
        else if (Actions is not null)
        {
            CheckActions(Actions, webhookExists, errors);
        }

        // The sender and subject a rule matches on are the sender's to choose: a rule that hides or
        // lowers must say up to which score, or a forged newsletter address would hide a lure.
        var conditions = Match ?? current?.Match;
        if (actions is { } effect && (effect.Suppress || effect.Score < 0) && conditions?.MaxRiskScore is null && !errors.ContainsKey("match.max_risk_score"))
        {
            errors["match.max_risk_score"] = [$"is required when the rule {(effect.Suppress ? "suppresses" : "lowers the score")}: up to which score it may do so, so that a forged sender cannot hide a dangerous email"];
        }

        if (errors.Count > 0)
        {
            return null;
        }

        var rule = current ?? new RuleDefinition { Name = name! };
        return rule with
        {
            Name = name!,
            Enabled = Enabled ?? rule.Enabled,
            Priority = Priority ?? rule.Priority,
            Match = Match is { } given ? Normalize(given) : rule.Match,
            Actions = Actions is { } todo ? Normalize(todo) : rule.Actions,
        };
    }

    private static void CheckMatch(RuleMatch match, Func<string, bool> mailboxExists, Dictionary<string, string[]> errors)
    {
        CheckList(errors, "match.senders", match.Senders, s => s.Contains('@', StringComparison.Ordinal) && !HasSpaceOrControl(s), "is not an e-mail address");
        CheckList(errors, "match.sender_domains", match.SenderDomains, IsDomain, "is not a domain name (write example.com: it covers its subdomains too)");
        if (match.Subject is { } pattern && RuleSubject.Problem(pattern) is { } problem)
        {
            errors["match.subject"] = [problem];
        }

        CheckList(errors, "match.flags", match.Flags, SecurityFlags.Weights.ContainsKey,
            $"is not a security flag; the flags are {string.Join(", ", SecurityFlags.Weights.Keys.Order(StringComparer.Ordinal))}");
        if (match.MinRiskScore is < 0 or > 100)
        {
            errors["match.min_risk_score"] = ["must be between 0 and 100"];
        }

        if (match.MaxRiskScore is < 0 or > 100)
        {
            errors["match.max_risk_score"] = ["must be between 0 and 100"];
        }
        else if (match.MinRiskScore is { } min && match.MaxRiskScore is { } max && min > max)
        {
            errors["match.max_risk_score"] = ["must not be below min_risk_score"];
        }

        CheckList(errors, "match.attachment_types", match.AttachmentTypes, AttachmentType.IsValid,
            "is neither a MIME type (application/pdf, image/*) nor an extension (.pdf)");
        CheckList(errors, "match.mailboxes", match.Mailboxes, mailboxExists, "is not the name of a mailbox");
        CheckList(errors, "match.tags", match.Tags, IsTag, TagProblem);
    }

    private static void CheckActions(RuleActions actions, Func<long, bool> webhookExists, Dictionary<string, string[]> errors)
    {
        CheckList(errors, "actions.tags", actions.Tags, IsTag, TagProblem);
        if (actions.Tags is { Count: > 20 })
        {
            errors["actions.tags"] = ["may hold at most 20 tags"];
        }

        if (actions.Score is < -100 or > 100)
        {
            errors["actions.score"] = ["must be between -100 and 100 (added to the risk score, which stays within 0–100)"];
        }

        if (actions.Webhooks is { } webhooks)
        {
            if (webhooks.Count > MaxListLength)
            {
                errors["actions.webhooks"] = [$"may hold at most {MaxListLength} ids"];
            }
            else if (webhooks.Cast<long?>().FirstOrDefault(id => !webhookExists(id!.Value)) is { } missing)
            {
                errors["actions.webhooks"] = [$"no webhook has the id {missing}"];
            }
        }

        var effects = actions.Tags is { Count: > 0 } || actions.Score is not (null or 0) || actions.Webhooks is { Count: > 0 };
        if (actions.Suppress && effects)
        {
            errors["actions.suppress"] = ["cannot go with tags, score or webhooks: a suppressed email is neither stored nor sent"];
        }
        else if (!effects && !actions.Suppress && !actions.Stop)
        {
            errors["actions"] = ["must do something: tags, score, webhooks, suppress or stop"];
        }
    }

    private static void CheckList(Dictionary<string, string[]> errors, string field, IReadOnlyList<string>? values, Func<string, bool> isValid, string problem)
    {
        if (values is null)
        {
            return;
        }

        if (values.Count > MaxListLength)
        {
            errors[field] = [$"may hold at most {MaxListLength} entries"];
        }
        else if (values.FirstOrDefault(v => v.Length == 0 || v.Length > MaxEntryLength || !isValid(v)) is { } bad)
        {
            errors[field] = [$"'{Shorten(bad)}' {problem}"];
        }
    }

    private const string TagProblem = "is not a tag: " + EmailTags.Syntax;

    private static bool IsTag(string tag) => EmailTags.IsValid(tag);

    private static bool IsDomain(string domain) =>
        domain.Length is > 0 and <= 253 && !domain.StartsWith('.') && !domain.EndsWith('.') && !domain.Contains("..", StringComparison.Ordinal)
        && !domain.Contains('@', StringComparison.Ordinal) && !HasSpaceOrControl(domain);

    private static bool HasSpaceOrControl(string value) => value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));

    private static RuleMatch Normalize(RuleMatch match) => match with
    {
        Senders = Distinct(match.Senders, lower: true),
        SenderDomains = Distinct(match.SenderDomains, lower: true),
        Flags = Distinct(match.Flags, lower: false),
        AttachmentTypes = Distinct(match.AttachmentTypes, lower: true),
        Mailboxes = Distinct(match.Mailboxes, lower: false),
        Tags = Distinct(match.Tags, lower: false),
    };

    private static RuleActions Normalize(RuleActions actions) => actions with
    {
        Tags = Distinct(actions.Tags, lower: false),
        Score = actions.Score is 0 ? null : actions.Score,
        Webhooks = actions.Webhooks?.Distinct().ToList(),
    };

    private static List<string>? Distinct(IReadOnlyList<string>? values, bool lower) =>
        values?.Select(v => lower ? v.ToLowerInvariant() : v).Distinct(StringComparer.Ordinal).ToList();

    private static string Shorten(string value) => value.Length <= 60 ? value : value[..60] + "…";
}
