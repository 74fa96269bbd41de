using System.Text.Json.Serialization;

namespace EmailMonitor.Analysis;

/// <summary>The wire and storage form of <see cref="EmailEvent"/>: snake_case, as CONTRACT §4 names the fields.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(EmailEvent))]
internal sealed partial class EmailEventJson : JsonSerializerContext;
