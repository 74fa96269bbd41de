using AngleSharp.Dom;

namespace EmailMonitor.Analysis;

/// <summary>
/// Judges URLs from email HTML the way a browser will read them, with AngleSharp's parser of the
/// WHATWG URL standard, never by comparing prefixes: browsers drop tabs and newlines anywhere in a
/// URL, trim control characters, and read "\\host\p.gif" or "/\host/p.gif" as "//host/p.gif".
/// </summary>
/// <remarks>
/// Each URL is resolved against a base of our own on a reserved name (RFC 2606): what lands on
/// that host is relative to whatever page shows the email, which for the dashboard is the monitor
/// itself, and what lands elsewhere is remote, however it was spelled.
/// </remarks>
internal static class EmailUrls
{
    private const string BaseHost = "email.base.invalid";

    // "https:host/p" is relative on an https page and remote on an http one: a URL counts as
    // relative only when it is relative on both.
    private static readonly Url[] Bases = [new($"https://{BaseHost}/"), new($"http://{BaseHost}/")];

    private static readonly string[] ScriptDataTypes = ["text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml", "text/javascript"];

    /// <summary>The kind of <paramref name="value"/>, and the URL as a browser would use it (null when it cannot be parsed).</summary>
    public static (UrlKind Kind, string? Href) Judge(string value)
    {
        (UrlKind Kind, string? Href) judged = (UrlKind.Other, null);
        foreach (var baseUrl in Bases)
        {
            var url = new Url(baseUrl, value);
            judged = url.IsInvalid ? (UrlKind.Other, null) : (KindOf(url, value), url.Href);
            if (judged.Kind == UrlKind.Fragment)
            {
                // Kept as a fragment: resolved, it would name our made-up base.
                return (UrlKind.Fragment, url.Href[url.Href.IndexOf('#', StringComparison.Ordinal)..]);
            }

            if (judged.Kind != UrlKind.Relative)
            {
                return judged;
            }
        }

        return judged;
    }

    private static UrlKind KindOf(Url url, string value) => url.Scheme switch
    {
        "https" or "http" when url.HostName == BaseHost => IsFragmentOnly(value) ? UrlKind.Fragment : UrlKind.Relative,
        "https" or "http" => UrlKind.Remote,
        "data" => IsScriptData(url.Href.AsSpan("data:".Length)) ? UrlKind.Script : UrlKind.Data,
        "cid" => UrlKind.ContentId,
        "mailto" => UrlKind.Mailto,
        "javascript" or "vbscript" or "livescript" => UrlKind.Script,
        _ => UrlKind.Other,
    };

    private static bool IsFragmentOnly(string value) =>
        value.AsSpan().TrimStart(" \t\r\n\f\v\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f").StartsWith("#");

    // The media type ends at ';' or ','; a data: document of these types can carry script.
    private static bool IsScriptData(ReadOnlySpan<char> content)
    {
        var end = content.IndexOfAny(";,");
        var type = (end < 0 ? content : content[..end]).Trim();
        foreach (var scriptType in ScriptDataTypes)
        {
            if (type.Equals(scriptType, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
