using System.Text.Json.Serialization;

namespace EmailMonitor.Mailboxes;

/// <summary>A mailbox's settings as stored in the clear: everything but its secrets.</summary>
internal sealed record StoredSettings(
    string Protocol,
    string Host,
    int Port,
    string Security,
    string Username,
    IReadOnlyList<string> Folders,
    int CheckInterval,
    [property: JsonPropertyName("oauth2")] StoredOAuth2? OAuth2);

internal sealed record StoredOAuth2(string TokenUrl, string ClientId, string? Scope);

/// <summary>A mailbox's secrets, stored only sealed by <see cref="CredentialVault"/>.</summary>
internal sealed record StoredSecrets(string? Password, string? ClientSecret, string? RefreshToken);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StoredSettings))]
[JsonSerializable(typeof(StoredSecrets))]
internal sealed partial class MailboxJson : JsonSerializerContext;
