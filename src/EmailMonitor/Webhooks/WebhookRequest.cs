using System.Net;
using System.Text.Json;
using EmailMonitor.Analysis;

namespace EmailMonitor.Webhooks;

/// <summary>
/// A <c>POST</c> or <c>PATCH /api/admin/webhooks</c> body (CONTRACT §8), read with an error for each
/// field of the wrong type or unknown, then applied to a webhook's settings with an error for each
/// value out of place. In a PATCH, absent fields stay as they are and a filter given as null is removed.
/// </summary>
internal sealed class WebhookRequest
{
    public const int MaxUrlLength = 2048;
    private const int MaxListLength = 100;

    private WebhookRequest()
    {
    }

    public string? Url { get; private init; }

    /// <summary>A secret the caller chose; null to keep the one there is (or, creating, to have one generated).</summary>
    public string? Secret { get; private init; }

    public string? Format { get; private init; }

    public int? MinRiskScore { get; private init; }

    public List<string>? Flags { get; private init; }

    public List<string>? Mailboxes { get; private init; }

    public bool? IncludeHtml { get; private init; }

    public bool? Enabled { get; private init; }

    public bool? Ordered { get; private init; }

    public int? MaxInFlight { get; private init; }

    private static readonly string[] Clearable = ["min_risk_score", "flags", "mailboxes"];

    private HashSet<string> Cleared { get; init; } = [];

    public static WebhookRequest Read(JsonElement body, Dictionary<string, string[]> errors)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["must be a JSON object"];
            return new WebhookRequest();
        }

        var reader = new JsonFieldReader(body, errors, "a webhook");
        var request = new WebhookRequest
        {
            Url = reader.Text("url"),
            Secret = reader.Text("secret"),
            Format = reader.Text("format"),
            MinRiskScore = reader.Integer("min_risk_score"),
            Flags = reader.TextList("flags"),
            Mailboxes = reader.TextList("mailboxes"),
            IncludeHtml = reader.Boolean("include_html"),
            Enabled = reader.Boolean("enabled"),
            Ordered = reader.Boolean("ordered"),
            MaxInFlight = reader.Integer("max_in_flight"),
            Cleared = Clearable.Where(reader.IsNull).ToHashSet(StringComparer.Ordinal),
        };
        reader.RefuseOthers();
        return request;
    }

    /// <summary>
    /// The settings this request makes of <paramref name="current"/> (null: a new webhook), or null
    /// with the reasons in <paramref name="errors"/>.
    /// </summary>
    public WebhookSettings? Apply(WebhookSettings? current, bool allowPrivate, Func<string, bool> mailboxExists, Dictionary<string, string[]> errors)
    {
        var url = Url ?? current?.Url;
        if (url is null)
        {
            errors["url"] = ["is required"];
        }
        else if (Url is not null && CheckUrl(Url, allowPrivate) is { } problem)
        {
            errors["url"] = [problem];
        }

        if (Secret is not null && WebhookSecret.TryReadKey(Secret) is null)
        {
            errors["secret"] = [WebhookSecret.Problem];
        }

        if (Format is not null && !WebhookFormats.All.Contains(Format, StringComparer.Ordinal))
        {
            errors["format"] = [$"must be one of {string.Join(", ", WebhookFormats.All)}"];
        }

        if (MinRiskScore is < 0 or > 100)
        {
            errors["min_risk_score"] = ["must be between 0 and 100"];
        }

        if (Flags is { } flags)
        {
            if (flags.Count > MaxListLength)
            {
                errors["flags"] = [$"may hold at most {MaxListLength} names"];
            }
            else if (flags.FirstOrDefault(flag => !SecurityFlags.Weights.ContainsKey(flag)) is { } unknown)
            {
                errors["flags"] = [$"'{Shorten(unknown)}' is not a security flag; the flags are {string.Join(", ", SecurityFlags.Weights.Keys.Order(StringComparer.Ordinal))}"];
            }
        }

        if (Mailboxes is { } mailboxes)
        {
            if (mailboxes.Count > MaxListLength)
            {
                errors["mailboxes"] = [$"may hold at most {MaxListLength} names"];
            }
            else if (mailboxes.FirstOrDefault(name => !mailboxExists(name)) is { } unknown)
            {
                errors["mailboxes"] = [$"no mailbox is named '{Shorten(unknown)}'"];
            }
        }

        if (MaxInFlight is < 1 or > 16)
        {
            errors["max_in_flight"] = ["must be between 1 and 16"];
        }

        if (errors.Count > 0)
        {
            return null;
        }

        var settings = current ?? new WebhookSettings { Url = url! };
        return settings with
        {
            Url = url!,
            Format = Format ?? settings.Format,
            MinRiskScore = Cleared.Contains("min_risk_score") ? null : MinRiskScore ?? settings.MinRiskScore,
            Flags = Cleared.Contains("flags") ? null : Flags?.Distinct(StringComparer.Ordinal).ToList() ?? settings.Flags,
            Mailboxes = Cleared.Contains("mailboxes") ? null : Mailboxes?.Distinct(StringComparer.Ordinal).ToList() ?? settings.Mailboxes,
            IncludeHtml = IncludeHtml ?? settings.IncludeHtml,
            Enabled = Enabled ?? settings.Enabled,
            Ordered = Ordered ?? settings.Ordered,
            MaxInFlight = MaxInFlight ?? settings.MaxInFlight,
        };
    }

    /// <summary>
    /// What is wrong with a webhook URL, or null. A name is checked again at every delivery, after it
    /// is resolved (it may point anywhere by then); an address or a name that can only be local is
    /// refused here already.
    /// </summary>
    public static string? CheckUrl(string url, bool allowPrivate)
    {
        if (url.Length > MaxUrlLength)
        {
            return $"must be at most {MaxUrlLength} characters";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || uri.Host.Length == 0)
        {
            return "must be an absolute http:// or https:// URL";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "must not hold a user name or password (put a token in the path or query, or rely on the signature)";
        }

        if (uri.Fragment.Length > 0)
        {
            return "must not have a fragment (#…): it is never sent";
        }

        if (allowPrivate)
        {
            return null;
        }

        var host = uri.IdnHost.TrimEnd('.');
        var local = IPAddress.TryParse(host.Trim('[', ']'), out var address)
            ? !OutboundAddresses.IsPublic(address)
            : host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
        return local ? $"{host} is a loopback, private or link-local address; set WEBHOOK_ALLOW_PRIVATE=true to send to your own network" : null;
    }

    private static string Shorten(string value) => value.Length > 64 ? value[..64] + "…" : value;
}
