using System.Text;
using System.Text.RegularExpressions;

namespace EmailMonitor.Analysis;

/// <summary>
/// Filters a <c>style</c> attribute declaration by declaration against an allowlist of layout and
/// typography properties, without parsing CSS into an object model (HtmlSanitizer's CSS parser is
/// most of its cost on newsletters, where nearly every element has a style). Anything unusual is
/// dropped rather than interpreted: escapes and comments (used to hide "expression"), script URLs,
/// IE expressions and bindings, and remote url() unless remote content is allowed.
/// </summary>
internal static partial class InlineStyles
{
    private const int MaxDeclarationLength = 512;

    // Far above any newsletter's, and small enough that no pattern below can take long.
    private const int MaxStyleLength = 8 * 1024;

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

    // Colours, lengths and gradients: functions that compute a value and load nothing.
    private static readonly HashSet<string> AllowedFunctions = new(StringComparer.Ordinal)
    {
        "url", "rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "calc", "min", "max", "clamp",
        "linear-gradient", "radial-gradient", "repeating-linear-gradient", "repeating-radial-gradient", "conic-gradient",
    };

    public static FilteredStyle Filter(string style, bool allowRemoteContent)
    {
        if (style.Length > MaxStyleLength)
        {
            return new FilteredStyle(string.Empty, IsActive(style), RemoteContentFound: false);
        }

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

            if (value.Length == 0 || declaration.Length > MaxDeclarationLength)
            {
                continue;
            }

            // Judged before the allowlist, so a remote image counts wherever it was put.
            var resources = MayLoadSomething(value) ? Resources(value) : [];
            remoteFound |= resources.Any(resource => resource.Kind == UrlKind.Remote);
            activeRemoved |= resources.Any(resource => resource.Kind == UrlKind.Script);
            if (!AllowedProperties.Contains(name) || HasHiddenCharacters(declaration) || !IsBalanced(value))
            {
                continue;
            }

            // A function outside the list may load what url() would (image-set("//host/p.gif" 1x)).
            if (HasUnknownFunction(value) || (resources.Count > 0 && !(allowRemoteContent && resources.All(IsPlainlyRemote))))
            {
                continue;
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
        var nesting = default(Nesting);
        for (var i = 0; i < style.Length; i++)
        {
            if (nesting.Read(style[i]) && style[i] == ';')
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

    /// <summary>Whether a style holds script (IE expressions and bindings, script URLs), whatever else it holds.</summary>
    public static bool HoldsScript(string style) => IsActive(style);

    private static bool IsActive(string declaration) => ActiveCss().IsMatch(declaration);

    // A browser closes what the end of a style leaves open ("url(//host/p.gif"), so only a value
    // whose brackets and quotes all close is kept, exactly as it reads.
    private static bool IsBalanced(string value)
    {
        var nesting = default(Nesting);
        foreach (var c in value)
        {
            nesting.Read(c);
            if (nesting.Unbalanced)
            {
                return false;
            }
        }

        return nesting.IsClosed;
    }

    /// <summary>Where a reader of CSS stands: inside which quote, how many parentheses deep.</summary>
    private struct Nesting
    {
        private char _quote;
        private int _depth;

        /// <summary>A ')' came with none open.</summary>
        public bool Unbalanced { get; private set; }

        public readonly bool IsClosed => _quote == '\0' && _depth == 0;

        /// <summary>Takes one character; true when it stands outside every quote and parenthesis.</summary>
        public bool Read(char c)
        {
            var outside = IsClosed;
            if (_quote != '\0')
            {
                _quote = c == _quote ? '\0' : _quote;
            }
            else if (c is '"' or '\'')
            {
                _quote = c;
            }
            else if (c == '(')
            {
                _depth++;
            }
            else if (c == ')')
            {
                Unbalanced |= _depth == 0;
                _depth = Math.Max(0, _depth - 1);
            }

            return outside && IsClosed;
        }
    }

    // Escapes, comments and markup can spell a forbidden word the checks above would not see.
    private static bool HasHiddenCharacters(string declaration) =>
        declaration.AsSpan().IndexOfAny("\\<>") >= 0 || declaration.Contains("/*", StringComparison.Ordinal) || declaration.Any(char.IsControl);

    private static bool MayLoadSomething(string value) => value.AsSpan().IndexOfAny("('\"") >= 0;

    // What each url() and each quoted string of the value would load, judged as a browser reads it.
    // Quoted strings count as well: image-set() and its kin take bare strings for URLs.
    private static List<(UrlKind Kind, string Reference)> Resources(string value)
    {
        var resources = new List<(UrlKind, string)>();
        foreach (Match match in ResourceReference().Matches(value))
        {
            var reference = match.Groups["url"].Success ? match.Groups["url"].Value.Trim().Trim('"', '\'') : match.Groups["string"].Value;
            var (kind, _) = EmailUrls.Judge(reference);
            // A quoted font name is not a resource; only something that resolves elsewhere is.
            if (match.Groups["url"].Success || kind is UrlKind.Remote or UrlKind.Script or UrlKind.Data)
            {
                resources.Add((kind, reference));
            }
        }

        return resources;
    }

    // Kept only when no page could read it as one of its own: "https:host/p" is relative on an https page.
    private static bool IsPlainlyRemote((UrlKind Kind, string Reference) resource) =>
        resource.Kind == UrlKind.Remote
        && (resource.Reference.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || resource.Reference.StartsWith("http://", StringComparison.OrdinalIgnoreCase));

    private static bool HasUnknownFunction(string value)
    {
        foreach (Match match in FunctionName().Matches(value))
        {
            if (!AllowedFunctions.Contains(match.Groups["name"].Value.ToLowerInvariant()))
            {
                return true;
            }
        }

        return false;
    }

    // An unclosed url( or string runs to the end, as a browser reads it.
    [GeneratedRegex(@"url\((?<url>[^)]*)(?:\)|$)|""(?<string>[^""]*)(?:""|$)|'(?<string>[^']*)(?:'|$)", RegexOptions.IgnoreCase)]
    private static partial Regex ResourceReference();

    // IE expressions and bindings, script URLs, imports: "expression" alone in a font name is none of them.
    [GeneratedRegex(@"expression\s*\(|(?:java|vb)script\s*:|(?:^|[;{\s])behavior\s*:|-moz-binding|@import", RegexOptions.IgnoreCase)]
    private static partial Regex ActiveCss();

    [GeneratedRegex(@"(?<name>[-A-Za-z0-9_]+)\(")]
    private static partial Regex FunctionName();
}
