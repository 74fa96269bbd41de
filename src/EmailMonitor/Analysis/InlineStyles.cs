using System.Text;

namespace EmailMonitor.Analysis;

/// <summary>
/// Filters a <c>style</c> attribute declaration by declaration against an allowlist of layout and
/// typography properties, without parsing CSS into an object model (HtmlSanitizer's CSS parser is
/// most of its cost on newsletters, where nearly every element has a style). Anything unusual is
/// dropped rather than interpreted: escapes and comments (used to hide "expression"), script URLs,
/// IE expressions and bindings, and remote url() unless remote content is allowed.
/// </summary>
internal static class InlineStyles
{
    private const int MaxDeclarationLength = 512;

    private static readonly HashSet<string> AllowedProperties = new(StringComparer.Ordinal)
    {
        "color", "background", "background-color", "background-image", "background-position", "background-repeat", "background-size",
        "font", "font-family", "font-size", "font-style", "font-variant", "font-weight",
        "text-align", "text-decoration", "text-indent", "text-transform", "letter-spacing", "word-spacing", "line-height",
        "white-space", "word-break", "word-wrap", "overflow-wrap", "direction", "vertical-align",
        "margin", "margin-top", "margin-right", "margin-bottom", "margin-left",
        "padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
        "border", "border-top", "border-right", "border-bottom", "border-left", "border-color", "border-style", "border-width",
        "border-top-color", "border-right-color", "border-bottom-color", "border-left-color",
        "border-top-style", "border-right-style", "border-bottom-style", "border-left-style",
        "border-top-width", "border-right-width", "border-bottom-width", "border-left-width",
        "border-radius", "border-collapse", "border-spacing", "table-layout", "caption-side", "empty-cells",
        "width", "height", "min-width", "max-width", "min-height", "max-height",
        "display", "float", "clear", "overflow", "visibility", "opacity", "list-style", "list-style-type", "list-style-position",
    };

    public static FilteredStyle Filter(string style, bool allowRemoteContent)
    {
        var kept = new StringBuilder(style.Length);
        var activeRemoved = false;
        var remoteFound = false;
        foreach (var declaration in Declarations(style))
        {
            var colon = declaration.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = declaration[..colon].Trim().ToLowerInvariant();
            var value = declaration[(colon + 1)..].Trim();
            if (IsActive(declaration))
            {
                activeRemoved = true;
                continue;
            }

            if (value.Length == 0 || declaration.Length > MaxDeclarationLength || !AllowedProperties.Contains(name) || HasHiddenCharacters(declaration))
            {
                continue;
            }

            if (value.Contains("url(", StringComparison.OrdinalIgnoreCase))
            {
                var remote = HasRemoteUrl(value);
                remoteFound |= remote;
                if (!allowRemoteContent || !remote || !OnlyRemoteUrls(value))
                {
                    continue;
                }
            }

            if (kept.Length > 0)
            {
                kept.Append("; ");
            }

            kept.Append(name).Append(": ").Append(value);
        }

        return new FilteredStyle(kept.ToString(), activeRemoved, remoteFound);
    }

    // Declarations end at ';' outside quotes and parentheses, so "url(a;b)" stays whole.
    private static IEnumerable<string> Declarations(string style)
    {
        var start = 0;
        var depth = 0;
        var quote = '\0';
        for (var i = 0; i < style.Length; i++)
        {
            var c = style[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')' && depth > 0)
            {
                depth--;
            }
            else if (c == ';' && depth == 0)
            {
                yield return style[start..i];
                start = i + 1;
            }
        }

        if (start < style.Length)
        {
            yield return style[start..];
        }
    }

    private static bool IsActive(string declaration) =>
        declaration.Contains("expression", StringComparison.OrdinalIgnoreCase)
        || declaration.Contains("javascript:", StringComparison.OrdinalIgnoreCase)
        || declaration.Contains("vbscript:", StringComparison.OrdinalIgnoreCase)
        || declaration.Contains("behavior", StringComparison.OrdinalIgnoreCase)
        || declaration.Contains("-moz-binding", StringComparison.OrdinalIgnoreCase)
        || declaration.Contains("@import", StringComparison.OrdinalIgnoreCase);

    // Escapes, comments and markup can spell a forbidden word the checks above would not see.
    private static bool HasHiddenCharacters(string declaration) =>
        declaration.AsSpan().IndexOfAny("\\<>") >= 0 || declaration.Contains("/*", StringComparison.Ordinal) || declaration.Any(char.IsControl);

    private static bool HasRemoteUrl(string value) => UrlArguments(value).Any(IsRemote);

    private static bool OnlyRemoteUrls(string value) => UrlArguments(value).All(IsRemote);

    private static bool IsRemote(string url) =>
        url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<string> UrlArguments(string value)
    {
        var at = 0;
        while ((at = value.IndexOf("url(", at, StringComparison.OrdinalIgnoreCase)) >= 0)
        {
            var end = value.IndexOf(')', at);
            if (end < 0)
            {
                yield return string.Empty;
                yield break;
            }

            yield return value[(at + 4)..end].Trim().Trim('"', '\'').Trim();
            at = end + 1;
        }
    }
}
