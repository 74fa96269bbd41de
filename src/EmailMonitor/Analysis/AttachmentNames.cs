using System.Text;

namespace EmailMonitor.Analysis;

/// <summary>What an attachment's name claims, and the tricks played with it.</summary>
internal static class AttachmentNames
{
    public const int MaxLength = 255;

    // Extensions a sender wants the reader to see before the real one ("invoice.pdf.exe").
    private static readonly HashSet<string> DecoyExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "rtf", "txt", "csv", "jpg", "jpeg", "png",
        "gif", "bmp", "tif", "tiff", "mp3", "mp4", "wav", "avi", "mov", "zip", "rar", "7z", "htm", "html", "eml", "msg",
    };

    /// <summary>Characters that reorder how text is displayed; U+202E (RTLO) turns "exe.pdf" around.</summary>
    public static bool HasBidiControl(string name) => name.Any(IsBidiControl);

    /// <summary>The last extension, lower case, without the dot; empty when there is none.</summary>
    public static string Extension(string name)
    {
        var visible = Clean(name).TrimEnd(' ', '.');
        var dot = visible.LastIndexOf('.');
        return dot < 0 || dot == visible.Length - 1 ? string.Empty : visible[(dot + 1)..].Trim().ToLowerInvariant();
    }

    /// <summary>A decoy extension followed by an executable one, however much space hides the second.</summary>
    public static bool HasDoubleExtension(string name, Func<string, bool> isExecutable)
    {
        var parts = Clean(name).TrimEnd(' ', '.').Split('.');
        if (parts.Length < 3)
        {
            return false;
        }

        var last = parts[^1].Trim();
        var previous = parts[^2].Trim();
        return isExecutable(last) && DecoyExtensions.Contains(previous);
    }

    /// <summary>The file name without any directory part ('/' or, as Windows tools write, '\\').</summary>
    public static string Leaf(string path) => path[(path.LastIndexOfAny(['/', '\\']) + 1)..];

    /// <summary>
    /// The name as it may be shown and stored: no directory part, no control or bidi characters,
    /// at most 255 characters, never empty.
    /// </summary>
    public static string Sanitize(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "attachment";
        }

        var cleaned = Clean(Leaf(name)).Trim().TrimStart('.');
        if (cleaned.Length > MaxLength)
        {
            var extension = Extension(cleaned);
            cleaned = extension.Length is > 0 and < 16
                ? cleaned[..(MaxLength - extension.Length - 1)] + "." + extension
                : cleaned[..MaxLength];
        }

        return cleaned.Length == 0 ? "attachment" : cleaned;
    }

    private static string Clean(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (!char.IsControl(c) && !IsBidiControl(c) && c is not ('\uFEFF' or '\u200B' or '\u200C' or '\u200D'))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static bool IsBidiControl(char c) =>
        c is '\u200E' or '\u200F' or '\u061C' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
