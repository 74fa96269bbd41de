using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EmailMonitor.Storage;

namespace EmailMonitor.Webhooks;

/// <summary>
/// The body of a delivery in each format: <c>json</c>, the <c>new_email</c> object as the
/// WebSocket sends it (without <c>html_content</c> unless the webhook asks for it); <c>slack</c>,
/// an incoming-webhook message with blocks; <c>teams</c>, a message carrying an Adaptive Card.
/// The chat formats say what a person triaging needs at a glance and carry no email body.
/// </summary>
internal static class WebhookPayloads
{
    private const int MaxSubject = 200;

    public static byte[] For(WebhookSettings settings, StoredEvent stored) => settings.Format switch
    {
        WebhookFormats.Slack => Slack(Summary.Of(stored)),
        WebhookFormats.Teams => Teams(Summary.Of(stored)),
        _ => Json(stored, settings.IncludeHtml),
    };

    public static byte[] Json(StoredEvent stored, bool includeHtml)
    {
        var json = stored.ToUtf8Json("\"type\":\"new_email\","u8);
        if (includeHtml)
        {
            return json;
        }

        var node = JsonNode.Parse(json)!.AsObject();
        node.Remove("html_content");
        return JsonSerializer.SerializeToUtf8Bytes(node);
    }

    // What comes from the email goes only into plain_text objects, which Slack shows as written (no
    // mentions, links or formatting); the notification text, read as mrkdwn, holds none of it.
    private static byte[] Slack(Summary email) => Write(writer =>
    {
        writer.WriteString("text", $"{email.Verdict} in {SlackEscape(email.Mailbox)} (risk score {email.RiskScore})");
        writer.WriteStartArray("blocks");
        writer.WriteStartObject();
        writer.WriteString("type", "header");
        Text(writer, "text", "plain_text", Truncate($"{email.Verdict}: {email.Subject}", 150));
        writer.WriteEndObject();
        writer.WriteStartObject();
        writer.WriteString("type", "section");
        writer.WriteStartArray("fields");
        foreach (var (label, value) in email.Facts)
        {
            writer.WriteStartObject();
            writer.WriteString("type", "plain_text");
            writer.WriteString("text", Truncate($"{label}: {value}", 1900));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteStartObject();
        writer.WriteString("type", "context");
        writer.WriteStartArray("elements");
        writer.WriteStartObject();
        writer.WriteString("type", "plain_text");
        writer.WriteString("text", Truncate($"event {email.EventId} · {email.Id}", 1900));
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndArray();
    });

    // Rich text runs, not TextBlocks: a TextBlock reads Markdown, so a subject could bring its own links.
    private static byte[] Teams(Summary email) => Write(writer =>
    {
        writer.WriteString("type", "message");
        writer.WriteStartArray("attachments");
        writer.WriteStartObject();
        writer.WriteString("contentType", "application/vnd.microsoft.card.adaptive");
        writer.WriteNull("contentUrl");
        writer.WriteStartObject("content");
        writer.WriteString("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
        writer.WriteString("type", "AdaptiveCard");
        writer.WriteString("version", "1.4");
        writer.WriteStartArray("body");
        RichText(writer, [(Truncate($"{email.Verdict}: {email.Subject}", 250), "Bolder", "Medium", false)]);
        foreach (var (label, value) in email.Facts)
        {
            RichText(writer, [(label + ": ", "Bolder", null, false), (value, null, null, false)]);
        }

        RichText(writer, [($"event {email.EventId} · {email.Id}", null, "Small", true)]);
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndArray();
    });

    private static void RichText(Utf8JsonWriter writer, IEnumerable<(string Text, string? Weight, string? Size, bool Subtle)> runs)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "RichTextBlock");
        writer.WriteStartArray("inlines");
        foreach (var (text, weight, size, subtle) in runs)
        {
            writer.WriteStartObject();
            writer.WriteString("type", "TextRun");
            writer.WriteString("text", text);
            if (weight is not null)
            {
                writer.WriteString("weight", weight);
            }

            if (size is not null)
            {
                writer.WriteString("size", size);
            }

            if (subtle)
            {
                writer.WriteBoolean("isSubtle", true);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void Text(Utf8JsonWriter writer, string name, string type, string text)
    {
        writer.WriteStartObject(name);
        writer.WriteString("type", type);
        writer.WriteString("text", text);
        writer.WriteEndObject();
    }

    // Slack's mrkdwn treats these three as markup; an email must not be able to mention @channel or forge a link.
    private static string SlackEscape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string OneLine(string text) =>
        string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });

    // Never between the two halves of a surrogate pair (an emoji): half a pair is not text, and the
    // JSON writer refuses it, which would fail every attempt of the delivery.
    private static string Truncate(string text, int length)
    {
        if (text.Length <= length)
        {
            return text;
        }

        var cut = length - 1;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return text[..cut] + "…";
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>What the chat formats show of an email.</summary>
    private sealed record Summary(
        long EventId, string Id, string Mailbox, int RiskScore, string Subject, string Sender, string Verdict, IReadOnlyList<(string Label, string Value)> Facts)
    {
        public static Summary Of(StoredEvent stored)
        {
            using var document = JsonDocument.Parse(stored.Payload);
            var root = document.RootElement;
            // One line each: a newline (from an encoded word) must not fake another fact.
            string Field(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? OneLine(value.GetString()!) : string.Empty;
            var score = root.TryGetProperty("risk_score", out var risk) && risk.TryGetInt32(out var value) ? value : 0;
            var flags = root.TryGetProperty("security_flags", out var list) && list.ValueKind == JsonValueKind.Array
                ? string.Join(", ", list.EnumerateArray().Select(f => f.ToString()))
                : string.Empty;
            var tags = root.TryGetProperty("tags", out var labels) && labels.ValueKind == JsonValueKind.Array
                ? string.Join(", ", labels.EnumerateArray().Select(t => t.ToString()))
                : string.Empty;
            var attachments = root.TryGetProperty("attachments", out var files) && files.ValueKind == JsonValueKind.Array ? files.GetArrayLength() : 0;
            var subject = Field("subject") is { Length: > 0 } s ? Truncate(s, MaxSubject) : "(no subject)";
            var senderName = Field("sender_name");
            var sender = senderName.Length > 0 ? $"{senderName} <{Field("sender")}>" : Field("sender");
            var verdict = score >= 70 ? "Dangerous" : score >= 30 ? "Suspicious" : "New email";
            List<(string, string)> facts =
            [
                ("From", sender),
                ("Mailbox", $"{stored.Mailbox} / {Field("folder")}"),
                ("Risk score", score.ToString(CultureInfo.InvariantCulture)),
                ("Flags", flags.Length > 0 ? flags : "none"),
                ("Attachments", attachments.ToString(CultureInfo.InvariantCulture)),
                ("Received", Field("received_at")),
            ];
            if (tags.Length > 0)
            {
                facts.Add(("Tags", tags));
            }

            return new Summary(stored.EventId, Field("id"), stored.Mailbox, score, subject, sender, verdict, facts);
        }
    }
}
