using EmailMonitor.Analysis;

namespace EmailMonitor.Rules;

/// <summary>
/// An entry of a rule's <c>attachment_types</c>: a MIME type matched against what the content is
/// (<c>detected_type</c>, not what the sender declared), a whole family (<c>image/*</c>), or an
/// extension matched against the end of the name (<c>.pdf</c>).
/// </summary>
internal static class AttachmentType
{
    public static bool IsValid(string entry)
    {
        if (entry.StartsWith('.'))
        {
            return entry.Length is > 1 and <= 17 && entry.Skip(1).All(char.IsAsciiLetterOrDigit);
        }

        var slash = entry.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < entry.Length - 1 && entry.IndexOf('/', slash + 1) < 0
            && entry.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '-' or '+' or '_' or '*')
            && (!entry.Contains('*', StringComparison.Ordinal) || entry.EndsWith("/*", StringComparison.Ordinal) && entry.Count(c => c == '*') == 1);
    }

    /// <summary>Whether <paramref name="attachment"/> is of the (lower-case) <paramref name="entry"/>.</summary>
    public static bool Matches(string entry, AttachmentInfo attachment)
    {
        if (entry.StartsWith('.'))
        {
            // The last extension as analysis reads it: bidi controls and trailing dots or spaces cannot hide it.
            return string.Equals(AttachmentNames.Extension(attachment.Filename), entry[1..], StringComparison.OrdinalIgnoreCase);
        }

        return entry.EndsWith("/*", StringComparison.Ordinal)
            ? attachment.DetectedType.StartsWith(entry[..^1], StringComparison.OrdinalIgnoreCase)
            : string.Equals(attachment.DetectedType, entry, StringComparison.OrdinalIgnoreCase);
    }
}
