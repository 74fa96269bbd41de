using AngleSharp.Dom;
using Ganss.Xss;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Analysis;

/// <summary>
/// HtmlSanitizer configured for email: no script, event handlers, script URLs, forms, frames,
/// objects or other active content; remote resources removed unless allowed; links open in a
/// new tab without referrer. Not thread-safe: each instance records what one call removed, and
/// the single analysis worker owns it.
/// </summary>
internal sealed class EmailHtmlSanitizer
{
    // Tags whose removal means the sender shipped something that could act, not just look.
    private static readonly HashSet<string> ActiveTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button",
        "select", "textarea", "meta", "base", "link", "svg", "math", "noscript", "template", "portal",
    };

    private static readonly string[] FormTags = ["form", "input", "button", "select", "textarea", "option", "optgroup", "fieldset", "legend", "label"];

    private readonly HtmlSanitizer _sanitizer;
    private readonly bool _allowRemoteContent;
    private bool _activeContentRemoved;
    private bool _remoteContentFound;

    public EmailHtmlSanitizer(IOptions<AnalysisOptions> options)
    {
        _allowRemoteContent = options.Value.AllowRemoteContent;
        _sanitizer = new HtmlSanitizer();
        foreach (var tag in FormTags)
        {
            _sanitizer.AllowedTags.Remove(tag);
        }

        _sanitizer.AllowedSchemes.Add("mailto");
        _sanitizer.RemovingTag += (_, e) => _activeContentRemoved |= ActiveTags.Contains(e.Tag.LocalName);
        _sanitizer.RemovingAttribute += (_, e) => _activeContentRemoved |= IsActiveAttribute(e.Attribute);
        _sanitizer.RemovingStyle += (_, e) => _activeContentRemoved |= IsActiveStyle(e.Style.Value);
        _sanitizer.FilterUrl += OnFilterUrl;
        _sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is IElement { LocalName: "a" } link && link.HasAttribute("href"))
            {
                link.SetAttribute("rel", "noopener noreferrer");
                link.SetAttribute("target", "_blank");
            }
        };
    }

    public SanitizedHtml Sanitize(string html)
    {
        _activeContentRemoved = false;
        _remoteContentFound = false;
        var document = _sanitizer.SanitizeDom(html);
        var body = document.Body!;
        var safeHtml = body.InnerHtml;
        return new SanitizedHtml(safeHtml, HtmlText.Extract(body), _activeContentRemoved, _remoteContentFound, LinkInspector.HasSuspiciousLink(body));
    }

    private void OnFilterUrl(object? sender, FilterUrlEventArgs e)
    {
        if (!IsRemote(e.OriginalUrl))
        {
            return;
        }

        // A link's own href is navigation, not a resource the reader's client would load.
        var isLinkTarget = e.Tag.LocalName is "a" or "area"
            && string.Equals(e.Tag.GetAttribute("href"), e.OriginalUrl, StringComparison.Ordinal);
        if (isLinkTarget)
        {
            return;
        }

        _remoteContentFound = true;
        if (!_allowRemoteContent)
        {
            e.SanitizedUrl = null;
        }
    }

    private static bool IsRemote(string url)
    {
        var trimmed = url.TrimStart();
        return trimmed.StartsWith("http:", StringComparison.OrdinalIgnoreCase)
            || trimmed.StartsWith("https:", StringComparison.OrdinalIgnoreCase)
            || trimmed.StartsWith("//", StringComparison.Ordinal);
    }

    private static bool IsActiveAttribute(IAttr attribute)
    {
        if (attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var value = attribute.Value.TrimStart();
        return value.StartsWith("javascript:", StringComparison.OrdinalIgnoreCase)
            || value.StartsWith("vbscript:", StringComparison.OrdinalIgnoreCase)
            || value.StartsWith("data:text/html", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsActiveStyle(string value) =>
        value.Contains("expression", StringComparison.OrdinalIgnoreCase)
        || value.Contains("javascript:", StringComparison.OrdinalIgnoreCase)
        || value.Contains("behavior", StringComparison.OrdinalIgnoreCase)
        || value.Contains("-moz-binding", StringComparison.OrdinalIgnoreCase);
}
