using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmailMonitor.Analysis;

/// <summary>The wire and storage form of <see cref="EmailEvent"/>: snake_case, as CONTRACT §4 names the fields.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(EmailEvent))]
internal sealed partial class EmailEventJson : JsonSerializerContext
{
    /// <summary>
    /// Escapes what JSON requires (quotes, backslashes, control characters) and leaves '&lt;', '&gt;'
    /// and '&amp;' alone: events travel as WebSocket frames and application/json answers, never
    /// inside a page, and escaping each of those as \u0026 made an HTML part up to six times its size.
    /// </summary>
    public static JavaScriptEncoder WireEncoder => JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>The context events are stored and sent with.</summary>
    public static EmailEventJson Wire { get; } = new(new JsonSerializerOptions
    {
        Encoder = WireEncoder,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    });
}
