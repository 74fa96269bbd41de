using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Ganss.Xss;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Analysis;

/// <summary>
/// HtmlSanitizer configured for email: no script, event handlers, script URLs, forms, frames,
/// objects or other active content; nothing that a browser would resolve against the page showing
/// the email (the monitor's own API, for the dashboard); images only from inside the message, and
/// remote ones only when allowed; links open in a new tab without referrer; inline styles kept
/// through an allowlist. Not thread-safe: each instance records what one call found, and the
/// single analysis worker owns it.
/// </summary>
internal sealed class EmailHtmlSanitizer
{
    private static readonly string[] FormTags = ["form", "input", "button", "select", "textarea", "option", "optgroup", "fieldset", "legend", "label"];

    // URL attributes that show nothing in an email and could only point somewhere.
    private static readonly string[] UnusedUrlAttributes = ["action", "cite", "longdesc"];

    private readonly HtmlParser _parser = new();
    private readonly HtmlSanitizer _sanitizer;
    private readonly bool _allowRemoteContent;

    // Newsletters repeat the same few style attributes on every row: filter each once per message.
    private readonly Dictionary<string, FilteredStyle> _styles = new(StringComparer.Ordinal);

    // HtmlSanitizer strips every style attribute it cannot read as CSS (all of them, with a plain
    // parser); the filtered ones are put back once it is done.
    private readonly List<(IElement Element, string Css)> _styled = [];

    // Images that lost their source (remote, an unknown cid:, a relative path): removed whole afterwards.
    private readonly List<IElement> _sourcelessImages = [];
    private IReadOnlyDictionary<string, string> _inlineImages = new Dictionary<string, string>();
    private bool _activeContentRemoved;
    private bool _remoteContentFound;
    private bool _suspiciousLink;

    public EmailHtmlSanitizer(IOptions<AnalysisOptions> options)
    {
        _allowRemoteContent = options.Value.AllowRemoteContent;
        // HtmlSanitizer's default parser builds a CSS object model for every style attribute, six
        // times the cost of parsing the HTML itself on a newsletter. A plain HTML parser, with style
        // attributes filtered by InlineStyles instead, keeps sanitizing near the parse.
        _sanitizer = new HtmlSanitizer();
        _sanitizer.AllowedAttributes.Remove("style");
        foreach (var name in FormTags)
        {
            _sanitizer.AllowedTags.Remove(name);
        }

        foreach (var name in UnusedUrlAttributes)
        {
            _sanitizer.AllowedAttributes.Remove(name);
        }

        _sanitizer.AllowedSchemes.Add("mailto");
        _sanitizer.RemovingAttribute += OnRemovingAttribute;
        _sanitizer.FilterUrl += OnFilterUrl;
    }

    // extractText: also read the HTML as plain text, needed only when the message has no text part.
    // inlineImages: data: URLs of the message's own images by Content-ID, for "cid:" references.
    public SanitizedHtml Sanitize(string html, bool extractText = true, IReadOnlyDictionary<string, string>? inlineImages = null)
    {
        _inlineImages = inlineImages ?? new Dictionary<string, string>();
        _remoteContentFound = false;
        _suspiciousLink = false;
        _styles.Clear();
        _styled.Clear();
        _sourcelessImages.Clear();
        // Parsed as body content, as HtmlSanitizer itself does: at the start of a document, a
        // <noscript> would be read in head mode and let its markup out into the body.
        using var document = _parser.ParseDocument("<!doctype html><html><body>" + html);
        _activeContentRemoved = LiveScript.IsIn(document);
        var body = document.Body!;
        _sanitizer.SanitizeDom(document, body, string.Empty);
        foreach (var (element, css) in _styled)
        {
            element.SetAttribute("style", css);
        }

        // One pass over the links that survived (image-map areas are links too), rather than
        // HtmlSanitizer's per-node post-processing.
        foreach (var link in body.QuerySelectorAll("a[href], area[href]"))
        {
            _suspiciousLink |= LinkInspector.IsSuspicious(link);
            link.SetAttribute("rel", "noopener noreferrer");
            link.SetAttribute("target", "_blank");
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

    // Every URL HtmlSanitizer keeps is decided here, as a browser would read it; whatever is not
    // an image from the message, an allowed remote image, or a link out of the email is dropped.
    private void OnFilterUrl(object? sender, FilterUrlEventArgs e)
    {
        var (kind, href) = EmailUrls.Judge(e.OriginalUrl);
        e.SanitizedUrl = e.Tag.LocalName switch
        {
            "img" => ImageSource(kind, href, e.OriginalUrl),
            "a" or "area" => kind is UrlKind.Remote or UrlKind.Mailto or UrlKind.Fragment ? href : null,
            _ => null,
        };
    }

    private string? ImageSource(UrlKind kind, string? href, string original)
    {
        switch (kind)
        {
            case UrlKind.ContentId or UrlKind.Data:
                return InlineImages.Resolve(original, _inlineImages);
            case UrlKind.Remote:
                _remoteContentFound = true;
                return _allowRemoteContent ? href : null;
            default:
                return null;
        }
    }
}
