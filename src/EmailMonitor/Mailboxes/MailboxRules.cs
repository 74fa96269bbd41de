using System.Net;
using System.Text.RegularExpressions;
using EmailMonitor.Mail;

namespace EmailMonitor.Mailboxes;

/// <summary>
/// Turns a <see cref="MailboxRequest"/> into the mailbox it asks for: a new one, or an existing
/// one with the given fields changed. Fills what was left out from the existing settings, then
/// from the provider's preset, then from the defaults; checks every field and names each problem.
/// </summary>
internal static partial class MailboxRules
{
    public const int MinCheckIntervalSeconds = 5;
    public const int MaxCheckIntervalSeconds = 3600;
    private const int MaxFolders = 50;

    public static MailboxDefinition? Apply(
        MailboxRequest request, MailboxDefinition? existing, bool allowInsecure, Dictionary<string, string[]> errors)
    {
        if (existing?.Name == MailboxDefinition.DefaultName)
        {
            foreach (var field in request.Given.Where(f => f != "paused"))
            {
                Add(errors, field, "the default mailbox is defined by the EMAIL_* variables; only 'paused' can change here");
            }

            return errors.Count == 0 ? existing with { Paused = request.Paused ?? existing.Paused } : null;
        }

        if (existing is null)
        {
            CheckName(request.Name, errors);
        }
        else if (request.Name is not null && request.Name != existing.Name)
        {
            Add(errors, "name", "cannot be changed; add a new mailbox and remove this one");
        }

        var username = request.Username ?? existing?.Username;
        var preset = Preset(request, username, errors);
        var protocol = request.Protocol is null ? existing?.Protocol ?? MailProtocol.Imap : ParseProtocol(request.Protocol, errors);
        var security = request.Security is null
            ? (existing is not null && existing.Protocol == protocol ? existing.Security : MailSecurity.Ssl)
            : ParseSecurity(request.Security, errors);
        var host = request.Host ?? Keep(existing, protocol, e => e.Server) ?? preset?.Host(protocol);
        var port = request.Port ?? (existing is not null && existing.Protocol == protocol && existing.Security == security
            ? existing.Port
            : MailboxDefinition.DefaultPort(protocol, security));

        CheckHost(host, security, allowInsecure, preset, protocol, errors);
        if (port is < 1 or > 65535)
        {
            Add(errors, "port", "must be between 1 and 65535");
        }

        CheckText("username", username, 320, required: true, errors);
        var credential = Credential(request, existing, preset, protocol, errors);
        var folders = Folders(request, existing, protocol, errors);
        var checkInterval = request.CheckInterval ?? (int?)existing?.CheckInterval.TotalSeconds ?? 30;
        if (checkInterval is < MinCheckIntervalSeconds or > MaxCheckIntervalSeconds)
        {
            Add(errors, "check_interval", $"must be between {MinCheckIntervalSeconds} and {MaxCheckIntervalSeconds} seconds");
        }

        if (existing is not null && credential is not null)
        {
            RequireSecretForNewDestination(request, existing, protocol, host, port, security, username, credential, errors);
        }

        if (errors.Count > 0)
        {
            return null;
        }

        return new MailboxDefinition
        {
            Name = existing?.Name ?? request.Name!,
            Protocol = protocol,
            Server = host!,
            Port = port,
            Security = security,
            Username = username!,
            Credential = credential!,
            Folders = folders,
            CheckInterval = TimeSpan.FromSeconds(checkInterval),
            Paused = request.Paused ?? existing?.Paused ?? false,
        };
    }

    /// <summary>
    /// A credential goes only where it was given for: a change that sends it elsewhere (another
    /// host, port, protocol, security, account or token endpoint) must give it again, so a stolen
    /// administrator token cannot redirect a stored password or refresh token to a server of its
    /// own. Credentials that cannot be decrypted must be given again for any change but a pause.
    /// </summary>
    private static void RequireSecretForNewDestination(
        MailboxRequest request, MailboxDefinition existing, MailProtocol protocol, string? host, int port, MailSecurity security, string? username,
        MailCredential credential, Dictionary<string, string[]> errors)
    {
        var secretGiven = request.Password is not null || request.OAuth2?.RefreshToken is not null;
        if (secretGiven)
        {
            return;
        }

        if (existing.Credential is UnreadableCredential)
        {
            if (request.Given.Any(field => field != "paused"))
            {
                Add(errors, "password", "the stored credentials cannot be decrypted: give the password (or oauth2 with a refresh_token) again");
            }

            return;
        }

        var elsewhere = protocol != existing.Protocol
            || !string.Equals(host, existing.Server, StringComparison.OrdinalIgnoreCase)
            || port != existing.Port
            || security != existing.Security
            || !string.Equals(username, existing.Username, StringComparison.Ordinal)
            || (credential is OAuth2Credential now && existing.Credential is OAuth2Credential then
                && !string.Equals(now.TokenUrl, then.TokenUrl, StringComparison.Ordinal));
        if (elsewhere)
        {
            Add(
                errors,
                existing.Credential is OAuth2Credential ? "oauth2.refresh_token" : "password",
                "give the secret again when the mailbox is pointed elsewhere (host, port, protocol, security, username or token_url changed)");
        }
    }

    private static ProviderPreset? Preset(MailboxRequest request, string? username, Dictionary<string, string[]> errors)
    {
        if (request.Provider is null)
        {
            return ProviderPresets.ForAddress(username);
        }

        var preset = ProviderPresets.Named(request.Provider);
        if (preset is null)
        {
            Add(errors, "provider", $"must be one of {string.Join(", ", ProviderPresets.All.Select(p => p.Name))}");
        }

        return preset;
    }

    // A setting carries over from the existing mailbox only while the protocol stays the same:
    // the host and security of an IMAP server say nothing about its POP3 service.
    private static string? Keep(MailboxDefinition? existing, MailProtocol protocol, Func<MailboxDefinition, string> setting) =>
        existing is not null && existing.Protocol == protocol ? setting(existing) : null;

    private static void CheckName(string? name, Dictionary<string, string[]> errors)
    {
        if (name is null)
        {
            Add(errors, "name", "required: 1 to 64 of a-z, 0-9, '_' and '-'");
        }
        else if (!NamePattern().IsMatch(name))
        {
            Add(errors, "name", "must be 1 to 64 of a-z, 0-9, '_' and '-'");
        }
    }

    private static MailProtocol ParseProtocol(string text, Dictionary<string, string[]> errors)
    {
        if (text is not ("imap" or "pop3"))
        {
            Add(errors, "protocol", "must be imap or pop3");
        }

        return MailboxText.Protocol(text);
    }

    private static MailSecurity ParseSecurity(string text, Dictionary<string, string[]> errors)
    {
        if (text is not ("ssl" or "starttls" or "none"))
        {
            Add(errors, "security", "must be ssl, starttls or none");
        }

        return MailboxText.Security(text);
    }

    private static void CheckHost(
        string? host, MailSecurity security, bool allowInsecure, ProviderPreset? preset, MailProtocol protocol, Dictionary<string, string[]> errors)
    {
        if (host is null)
        {
            Add(errors, "host", preset is null
                ? "required (no preset is known for this address's domain)"
                : $"required: {preset.Name} has no {MailboxText.Of(protocol)} service");
            return;
        }

        if (host.Length > 253 || Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            Add(errors, "host", "must be a host name or an IP address");
            return;
        }

        if (security == MailSecurity.None && !allowInsecure && !IsLoopback(host))
        {
            Add(errors, "security", "none would send the password in clear text to a remote host; use ssl or starttls (or set EMAIL_ALLOW_INSECURE=true)");
        }
    }

    private static MailCredential? Credential(
        MailboxRequest request, MailboxDefinition? existing, ProviderPreset? preset, MailProtocol protocol, Dictionary<string, string[]> errors)
    {
        if (request.Password is not null && request.OAuth2 is not null)
        {
            Add(errors, "password", "give either password or oauth2, not both");
            return null;
        }

        if (request.Password is not null)
        {
            CheckText("password", request.Password, 1024, required: true, errors);
            return new PasswordCredential(request.Password);
        }

        if (request.OAuth2 is { } given)
        {
            var before = existing?.Credential as OAuth2Credential;
            var tokenUrl = given.TokenUrl ?? before?.TokenUrl ?? preset?.TokenUrl;
            var clientId = given.ClientId ?? before?.ClientId;
            var clientSecret = given.ClientSecret ?? before?.ClientSecret;
            var refreshToken = given.RefreshToken ?? before?.RefreshToken;
            var scope = given.Scope ?? before?.Scope ?? preset?.Scope(protocol);
            CheckTokenUrl(tokenUrl, errors);
            CheckText("oauth2.client_id", clientId, 512, required: true, errors);
            CheckText("oauth2.client_secret", clientSecret, 4096, required: false, errors);
            CheckText("oauth2.refresh_token", refreshToken, 8192, required: true, errors);
            CheckText("oauth2.scope", scope, 1024, required: false, errors);
            return new OAuth2Credential(tokenUrl ?? string.Empty, clientId ?? string.Empty, clientSecret, refreshToken ?? string.Empty, scope);
        }

        if (existing is null)
        {
            Add(errors, "password", "required: give a password, or oauth2 instead");
        }

        return existing?.Credential;
    }

    private static void CheckTokenUrl(string? tokenUrl, Dictionary<string, string[]> errors)
    {
        if (tokenUrl is null)
        {
            Add(errors, "oauth2.token_url", "required (no preset is known for this address's provider)");
        }
        else if (!Uri.TryCreate(tokenUrl, UriKind.Absolute, out var uri)
            || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
            || uri.UserInfo.Length > 0)
        {
            // The refresh token and client secret go to this address: never in clear text across a network.
            Add(errors, "oauth2.token_url", "must be an https URL (http only to a loopback address), without user information");
        }
    }

    private static IReadOnlyList<string> Folders(MailboxRequest request, MailboxDefinition? existing, MailProtocol protocol, Dictionary<string, string[]> errors)
    {
        if (protocol == MailProtocol.Pop3)
        {
            if (request.Folders is { } asked && !asked.SequenceEqual([MailboxDefinition.Pop3Folder]))
            {
                Add(errors, "folders", "POP3 reaches only the INBOX");
            }

            return [MailboxDefinition.Pop3Folder];
        }

        var folders = request.Folders ?? (existing?.Protocol == MailProtocol.Imap ? existing.Folders : null) ?? ["INBOX"];
        // INBOX is the one name IMAP compares without case (RFC 3501 §5.1): "inbox" and "INBOX" are one folder.
        folders = [.. folders.Select(f => string.Equals(f, "INBOX", StringComparison.OrdinalIgnoreCase) ? "INBOX" : f)];
        if (folders.Count is 0 or > MaxFolders)
        {
            Add(errors, "folders", $"must list 1 to {MaxFolders} folders");
        }
        else if (folders.Any(f => f.Length is 0 or > 255 || f.Any(char.IsControl)))
        {
            Add(errors, "folders", "each folder name must be 1 to 255 characters, without control characters");
        }
        else if (folders.Distinct(StringComparer.Ordinal).Count() != folders.Count)
        {
            Add(errors, "folders", "a folder is listed twice");
        }

        return folders;
    }

    private static void CheckText(string field, string? value, int maxLength, bool required, Dictionary<string, string[]> errors)
    {
        if (value is null || value.Length == 0)
        {
            if (required)
            {
                Add(errors, field, "required");
            }
        }
        else if (value.Length > maxLength)
        {
            Add(errors, field, $"must be at most {maxLength} characters");
        }
        else if (value.Any(char.IsControl))
        {
            // A line break in a credential could end a protocol command early.
            Add(errors, field, "must not contain control characters");
        }
    }

    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    private static void Add(Dictionary<string, string[]> errors, string field, string problem) =>
        errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, problem] : [problem];

    [GeneratedRegex(@"\A[a-z0-9_-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
