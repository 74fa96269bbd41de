using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmailMonitor.Webhooks;

/// <summary>What a webhook is: where it sends, in which format, which events, and how (CONTRACT §8).</summary>
internal sealed record WebhookSettings
{
    public const int DefaultMaxInFlight = 4;

    public required string Url { get; init; }

    /// <summary><c>json</c>, <c>slack</c> or <c>teams</c>.</summary>
    public string Format { get; init; } = WebhookFormats.Json;

    public int? MinRiskScore { get; init; }

    public IReadOnlyList<string>? Flags { get; init; }

    public IReadOnlyList<string>? Mailboxes { get; init; }

    public bool IncludeHtml { get; init; }

    public bool Enabled { get; init; } = true;

    /// <summary>One delivery at a time, each only after the one before it has been delivered or has died.</summary>
    public bool Ordered { get; init; }

    /// <summary>Deliveries to this webhook under way at once, from each instance.</summary>
    public int MaxInFlight { get; init; } = DefaultMaxInFlight;

    /// <summary>Whether an event is one this webhook is for: every filter set must hold.</summary>
    public bool Matches(EventFacts facts) =>
        Enabled
        && (MinRiskScore is not { } minimum || facts.RiskScore >= minimum)
        && (Flags is not { Count: > 0 } flags || flags.Any(facts.Flags.Contains))
        && (Mailboxes is not { } mailboxes || mailboxes.Contains(facts.Mailbox, StringComparer.Ordinal));

    public string ToJson() => JsonSerializer.Serialize(this, WebhookJson.Default.WebhookSettings);

    public static WebhookSettings FromJson(string json) =>
        JsonSerializer.Deserialize(json, WebhookJson.Default.WebhookSettings) ?? throw new JsonException("A webhook's settings are null.");
}

internal static class WebhookFormats
{
    public const string Json = "json";
    public const string Slack = "slack";
    public const string Teams = "teams";

    public static readonly IReadOnlyList<string> All = [Json, Slack, Teams];
}

/// <summary>What the filters of a webhook look at in an event.</summary>
internal sealed record EventFacts(string Mailbox, int RiskScore, IReadOnlySet<string> Flags)
{
    public static EventFacts Of(Storage.StoredEvent stored)
    {
        try
        {
            return Read(stored);
        }
        catch (JsonException)
        {
            // Stored by this service, so never expected; matched on its mailbox alone rather than stalling every webhook.
            return new EventFacts(stored.Mailbox, 0, new HashSet<string>());
        }
    }

    private static EventFacts Read(Storage.StoredEvent stored)
    {
        using var document = JsonDocument.Parse(stored.Payload);
        var root = document.RootElement;
        var score = root.TryGetProperty("risk_score", out var risk) && risk.TryGetInt32(out var value) ? value : 0;
        var flags = root.TryGetProperty("security_flags", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(f => f.ValueKind == JsonValueKind.String).Select(f => f.GetString()!).ToHashSet(StringComparer.Ordinal)
            : [];
        return new EventFacts(stored.Mailbox, score, flags);
    }
}

[JsonSerializable(typeof(WebhookSettings))]
[JsonSerializable(typeof(List<StoredKey>))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class WebhookJson : JsonSerializerContext;

/// <summary>A signing key as stored (sealed): until when it signs, for a key being rotated out.</summary>
internal sealed record StoredKey(string Key, DateTimeOffset? Until);
