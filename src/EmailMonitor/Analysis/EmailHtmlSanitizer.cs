using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Ganss.Xss;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Analysis;

/// <summary>
/// HtmlSanitizer configured for email: no script, event handlers, script URLs, forms, frames,
/// objects or other active content; remote resources removed unless allowed; links open in a
/// new tab without referrer; inline styles kept through an allowlist. Not thread-safe: each
/// instance records what one call removed, and the single analysis worker owns it.
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

    // Newsletters repeat the same few style attributes on every row: filter each once per message.
    private readonly Dictionary<string, FilteredStyle> _styles = new(StringComparer.Ordinal);

    // HtmlSanitizer strips every style attribute it cannot read as CSS (all of them, with a plain
    // parser); the filtered ones are put back once it is done.
    private readonly List<(IElement Element, string Css)> _styled = [];

    // Images that lost their source (remote, an unknown cid:, a script URL): removed whole afterwards.
    private readonly List<IElement> _sourcelessImages = [];
    private IReadOnlyDictionary<string, string> _inlineImages = new Dictionary<string, string>();
    private bool _activeContentRemoved;
    private bool _remoteContentFound;
    private bool _suspiciousLink;

    public EmailHtmlSanitizer(IOptions<AnalysisOptions> options)
    {
        _allowRemoteContent = options.Value.AllowRemoteContent;
        _sanitizer = new HtmlSanitizer
        {
            // HtmlSanitizer's default parser builds a CSS object model for every style attribute,
            // six times the cost of parsing the HTML itself on a newsletter. A plain HTML parser,
            // with style attributes filtered by InlineStyles instead, keeps sanitizing near the parse.
            HtmlParserFactory = () => new HtmlParser(),
        };
        _sanitizer.AllowedAttributes.Remove("style");
        foreach (var tag in FormTags)
        {
            _sanitizer.AllowedTags.Remove(tag);
        }

        _sanitizer.AllowedSchemes.Add("mailto");
        _sanitizer.RemovingTag += (_, e) => _activeContentRemoved |= ActiveTags.Contains(e.Tag.LocalName);
        _sanitizer.RemovingAttribute += OnRemovingAttribute;
        _sanitizer.FilterUrl += OnFilterUrl;
    }

    // extractText: also read the HTML as plain text, needed only when the message has no text part.
    // inlineImages: data: URLs of the message's own images by Content-ID, for "cid:" references.
    public SanitizedHtml Sanitize(string html, bool extractText = true, IReadOnlyDictionary<string, string>? inlineImages = null)
    {
        _inlineImages = inlineImages ?? new Dictionary<string, string>();
        _activeContentRemoved = false;
        _remoteContentFound = false;
        _suspiciousLink = false;
        _styles.Clear();
        _styled.Clear();
        _sourcelessImages.Clear();
        var body = _sanitizer.SanitizeDom(html).Body!;
        foreach (var (element, css) in _styled)
        {
            element.SetAttribute("style", css);
        }

        // One pass over the links that survived, rather than HtmlSanitizer's per-node post-processing.
        foreach (var link in body.GetElementsByTagName("a"))
        {
            if (link.HasAttribute("href"))
            {
                _suspiciousLink |= LinkInspector.IsSuspicious(link);
                link.SetAttribute("rel", "noopener noreferrer");
                link.SetAttribute("target", "_blank");
            }
        }

        // An image without its source shows nothing but a broken frame.
        foreach (var image in _sourcelessImages.Where(image => !image.HasAttribute("src")))
        {
            image.Remove();
        }

        var text = extractText ? HtmlText.Extract(body) : string.Empty;
        return new SanitizedHtml(body.InnerHtml, text, _activeContentRemoved, _remoteContentFound, _suspiciousLink);
    }

    private void OnRemovingAttribute(object? sender, RemovingAttributeEventArgs e)
    {
        if (e.Attribute.Name != "style" || e.Reason != RemoveReason.NotAllowedAttribute)
        {
            _activeContentRemoved |= IsActiveAttribute(e.Attribute);
            if (e.Attribute.Name == "src" && e.Tag.LocalName == "img")
            {
                _sourcelessImages.Add(e.Tag);
            }

            return;
        }

        var value = e.Attribute.Value;
        if (!_styles.TryGetValue(value, out var filtered))
        {
            filtered = InlineStyles.Filter(value, _allowRemoteContent);
            _styles[value] = filtered;
        }

        _activeContentRemoved |= filtered.ActiveContentRemoved;
        _remoteContentFound |= filtered.RemoteContentFound;
        if (filtered.Css.Length > 0)
        {
            _styled.Add((e.Tag, filtered.Css));
        }
    }

    private void OnFilterUrl(object? sender, FilterUrlEventArgs e)
    {
        if (e.Tag.LocalName == "img" && InlineImages.Resolve(e.OriginalUrl, _inlineImages) is { } inline)
        {
            e.SanitizedUrl = inline;
            return;
        }

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
}
