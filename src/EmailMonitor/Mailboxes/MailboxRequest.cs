using System.Text.Json;

namespace EmailMonitor.Mailboxes;

/// <summary>
/// The fields of a <c>POST</c> or <c>PATCH /api/admin/mailboxes</c> body (CONTRACT §7), read from
/// JSON with an error for each field of the wrong type and for each field that does not exist.
/// Absent fields are null; what they mean is up to <see cref="MailboxRules"/>.
/// </summary>
internal sealed class MailboxRequest
{
    public string? Name { get; private init; }

    public string? Provider { get; private init; }

    public string? Protocol { get; private init; }

    public string? Host { get; private init; }

    public int? Port { get; private init; }

    public string? Security { get; private init; }

    public string? Username { get; private init; }

    public string? Password { get; private init; }

    public OAuth2Fields? OAuth2 { get; private init; }

    public IReadOnlyList<string>? Folders { get; private init; }

    public int? CheckInterval { get; private init; }

    public bool? Paused { get; private init; }

    public static MailboxRequest Empty { get; } = new();

    /// <summary>The names of the fields given, for rules that allow only some.</summary>
    public IReadOnlyList<string> Given { get; private init; } = [];

    public static MailboxRequest Read(JsonElement body, Dictionary<string, string[]> errors)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["must be a JSON object"];
            return new MailboxRequest();
        }

        var reader = new JsonFieldReader(body, errors, "a mailbox", prefix: string.Empty);
        var request = new MailboxRequest
        {
            Name = reader.Text("name"),
            Provider = reader.Text("provider"),
            Protocol = reader.Text("protocol"),
            Host = reader.Text("host"),
            Port = reader.Integer("port"),
            Security = reader.Text("security"),
            Username = reader.Text("username"),
            Password = reader.Text("password"),
            OAuth2 = reader.Object("oauth2") is { } oauth2 ? OAuth2Fields.Read(oauth2, errors) : null,
            Folders = reader.TextList("folders"),
            CheckInterval = reader.Integer("check_interval"),
            Paused = reader.Boolean("paused"),
            Given = reader.Seen,
        };
        reader.RefuseOthers();
        return request;
    }

    internal sealed record OAuth2Fields(string? TokenUrl, string? ClientId, string? ClientSecret, string? RefreshToken, string? Scope)
    {
        public static OAuth2Fields Read(JsonElement body, Dictionary<string, string[]> errors)
        {
            var reader = new JsonFieldReader(body, errors, "oauth2", prefix: "oauth2.");
            var fields = new OAuth2Fields(
                reader.Text("token_url"), reader.Text("client_id"), reader.Text("client_secret"), reader.Text("refresh_token"), reader.Text("scope"));
            reader.RefuseOthers();
            return fields;
        }
    }
}
