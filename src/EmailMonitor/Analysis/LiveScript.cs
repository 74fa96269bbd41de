using AngleSharp.Dom;

namespace EmailMonitor.Analysis;

/// <summary>
/// Whether email HTML, as sent, held anything that could run: script and other active elements,
/// event handlers and script URLs, on any element, including those the sanitizer then removes
/// whole (unknown and namespaced elements, video and its sources) and the body's own attributes,
/// which it never visits. Read before sanitizing, so <c>script_removed</c> cannot miss any of it.
/// </summary>
internal static class LiveScript
{
    // Tags whose presence means the sender shipped something that could act, not just look.
    private static readonly HashSet<string> ActiveTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button",
        "select", "textarea", "meta", "base", "link", "svg", "math", "noscript", "template", "portal",
    };

    // Attributes a browser follows or loads as a URL, on any element (SVG animation included).
    private static readonly HashSet<string> UrlAttributes = new(StringComparer.OrdinalIgnoreCase)
    {
        "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "codebase",
        "dynsrc", "lowsrc", "longdesc", "cite", "ping", "manifest", "icon", "to", "from", "values", "by",
    };

    public static bool IsIn(IDocument document)
    {
        foreach (var element in document.All)
        {
            if (ActiveTags.Contains(element.LocalName))
            {
                return true;
            }

            foreach (var attribute in element.Attributes)
            {
                if (IsActive(attribute))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool IsActive(IAttr attribute) =>
        attribute.LocalName.StartsWith("on", StringComparison.OrdinalIgnoreCase)
        || (UrlAttributes.Contains(attribute.Name) && EmailUrls.Judge(attribute.Value).Kind == UrlKind.Script)
        || (attribute.LocalName.Equals("style", StringComparison.OrdinalIgnoreCase) && InlineStyles.HoldsScript(attribute.Value));
}
