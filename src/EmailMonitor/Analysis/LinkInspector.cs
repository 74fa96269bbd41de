using System.Text.RegularExpressions;
using AngleSharp.Dom;

namespace EmailMonitor.Analysis;

/// <summary>
/// Links that deceive: the text shows one domain and the link goes to another, or the target is
/// an IP address, a punycode host or a host that mixes scripts to imitate a known name.
/// </summary>
internal static partial class LinkInspector
{
    public static bool IsSuspicious(IElement anchor)
    {
        if (!Uri.TryCreate(anchor.GetAttribute("href")?.Trim(), UriKind.Absolute, out var target)
            || target.Scheme is not ("http" or "https"))
        {
            return false;
        }

        // IdnHost is the host as it goes on the wire: any non-ASCII host, mixed scripts included,
        // arrives here in punycode.
        var host = target.IdnHost;
        return Domains.IsIpLiteral(target.Host)
            || Domains.IsPunycode(host)
            || (ShownHost(anchor.TextContent) is { } shown && !Domains.SameOrganization(shown, host));
    }

    // Link text that reads as an address ("https://bank.example/login", "www.bank.example"), else null.
    private static string? ShownHost(string text)
    {
        if (!text.Contains('.', StringComparison.Ordinal))
        {
            return null;
        }

        var match = AddressLikeText().Match(text.Trim());
        return match.Success ? match.Groups["host"].Value : null;
    }

    [GeneratedRegex(@"^(?:[a-z][a-z0-9+.-]*://)?(?<host>[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,})(?::\d+)?(?:[/?#]\S*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex AddressLikeText();
}
