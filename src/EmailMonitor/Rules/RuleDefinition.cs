using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmailMonitor.Rules;

/// <summary>
/// One rule as an administrator wrote it (docs/rules.md): when an email matches every condition of
/// <see cref="Match"/>, <see cref="Actions"/> apply. Rules run in <see cref="Priority"/> order, lowest
/// first, then by id; each sees what the ones before it did (tags added, score moved).
/// </summary>
internal sealed record RuleDefinition
{
    public const int DefaultPriority = 100;

    public required string Name { get; init; }

    public bool Enabled { get; init; } = true;

    public int Priority { get; init; } = DefaultPriority;

    public RuleMatch Match { get; init; } = new();

    public RuleActions Actions { get; init; } = new();

    public string ToJson() => JsonSerializer.Serialize(this, RuleJson.Default.RuleDefinition);

    public static RuleDefinition FromJson(string json) =>
        JsonSerializer.Deserialize(json, RuleJson.Default.RuleDefinition) ?? throw new JsonException("A rule's definition is null.");
}

/// <summary>The conditions of a rule: each one given must hold; a list holds when any of its entries does.</summary>
internal sealed record RuleMatch
{
    /// <summary>Sender addresses, compared without regard to case.</summary>
    public IReadOnlyList<string>? Senders { get; init; }

    /// <summary>The sender's domain or any domain under it.</summary>
    public IReadOnlyList<string>? SenderDomains { get; init; }

    /// <summary>A .NET regular expression the subject must contain a match of.</summary>
    public string? Subject { get; init; }

    public IReadOnlyList<string>? Flags { get; init; }

    public int? MinRiskScore { get; init; }

    public int? MaxRiskScore { get; init; }

    /// <summary>An attachment's detected MIME type (<c>image/*</c> for any subtype) or the extension of its name (<c>.pdf</c>).</summary>
    public IReadOnlyList<string>? AttachmentTypes { get; init; }

    public IReadOnlyList<string>? Mailboxes { get; init; }

    /// <summary>Tags an earlier rule or a plugin gave the email.</summary>
    public IReadOnlyList<string>? Tags { get; init; }
}

/// <summary>What a matching rule does.</summary>
internal sealed record RuleActions
{
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Added to the risk score (negative lowers it); the result stays within 0–100.</summary>
    public int? Score { get; init; }

    /// <summary>Webhooks the event goes to whatever their own filters say.</summary>
    public IReadOnlyList<long>? Webhooks { get; init; }

    /// <summary>Neither stored nor sent anywhere; the mail stays on the mail server.</summary>
    public bool Suppress { get; init; }

    /// <summary>No rule after this one is looked at.</summary>
    public bool Stop { get; init; }
}

[JsonSerializable(typeof(RuleDefinition))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class RuleJson : JsonSerializerContext;
