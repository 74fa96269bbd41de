using System.Net;

namespace EmailMonitor.Analysis;

/// <summary>Host and domain comparisons for links and addresses.</summary>
internal static class Domains
{
    /// <summary>
    /// True when two hosts belong to the same organisation: equal, or one a subdomain of the
    /// other's registrable part. Without the public suffix list, the registrable part is the last
    /// two labels, or three under a two-letter country code with a short second level (co.uk).
    /// </summary>
    public static bool SameOrganization(string first, string second)
    {
        var a = Normalize(first);
        var b = Normalize(second);
        return a.Length > 0 && b.Length > 0 && (a == b || Registrable(a) == Registrable(b));
    }

    public static string DomainOf(string address)
    {
        var at = address.LastIndexOf('@');
        return at < 0 ? string.Empty : Normalize(address[(at + 1)..]);
    }

    public static bool IsIpLiteral(string host)
    {
        var trimmed = host.Trim('[', ']');
        // Browsers also read a bare number (http://3232235777/) as an IPv4 address.
        return IPAddress.TryParse(trimmed, out _) || trimmed.All(char.IsAsciiDigit);
    }

    public static bool IsPunycode(string host) =>
        host.Split('.').Any(label => label.StartsWith("xn--", StringComparison.OrdinalIgnoreCase));

    private static string Normalize(string host)
    {
        var lower = host.Trim().TrimEnd('.').ToLowerInvariant();
        return lower.StartsWith("www.", StringComparison.Ordinal) ? lower[4..] : lower;
    }

    private static string Registrable(string host)
    {
        var labels = host.Split('.');
        if (labels.Length <= 2)
        {
            return host;
        }

        var countryCodeSecondLevel = labels[^1].Length == 2 && labels[^2].Length <= 3;
        return string.Join('.', labels[^(countryCodeSecondLevel ? 3 : 2)..]);
    }
}
