using System.Globalization;
using System.Net;

namespace EmailMonitor.Analysis;

/// <summary>Host and domain comparisons for links and addresses.</summary>
internal static class Domains
{
    private static readonly IdnMapping Idn = new();

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

    /// <summary>Letters from more than one script in one label, as in a Cyrillic "а" inside "pаypal".</summary>
    public static bool HasMixedScripts(string host)
    {
        string unicode;
        try
        {
            unicode = Idn.GetUnicode(host.TrimEnd('.'));
        }
        catch (ArgumentException)
        {
            return false;
        }

        return unicode.Split('.').Any(label => label.Where(char.IsLetter).Select(Script).Distinct().Count() > 1);
    }

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

    private static string Script(char letter) => letter switch
    {
        <= '\u024F' => "Latin",
        >= '\u0370' and <= '\u03FF' => "Greek",
        >= '\u0400' and <= '\u052F' => "Cyrillic",
        >= '\u0530' and <= '\u058F' => "Armenian",
        >= '\u0590' and <= '\u05FF' => "Hebrew",
        >= '\u0600' and <= '\u06FF' => "Arabic",
        >= '\u3040' and <= '\u30FF' => "Japanese",
        >= '\u4E00' and <= '\u9FFF' => "Han",
        >= '\uAC00' and <= '\uD7AF' => "Hangul",
        _ => "Other",
    };
}
