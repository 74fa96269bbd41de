using System.Text.RegularExpressions;

namespace EmailMonitor.Analysis;

/// <summary>
/// The labels rules and plugins give an email (<c>tags</c> in <c>new_email</c>): short, plain, and
/// safe to show anywhere, and never more than <see cref="MaxPerEmail"/> on one email.
/// </summary>
internal static partial class EmailTags
{
    public const int MaxLength = 64;

    public const int MaxPerEmail = 50;

    public const string Syntax = "1–64 letters, digits and . _ - : / starting with a letter or digit";

    public static bool IsValid(string tag) => tag.Length <= MaxLength && Pattern().IsMatch(tag);

    /// <summary><paramref name="tags"/> with <paramref name="added"/> after them, each once, up to the limit.</summary>
    public static IReadOnlyList<string> Add(IReadOnlyList<string> tags, IEnumerable<string> added)
    {
        var result = new List<string>(tags);
        foreach (var tag in added)
        {
            if (result.Count < MaxPerEmail && !result.Contains(tag, StringComparer.Ordinal))
            {
                result.Add(tag);
            }
        }

        return result;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:/-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
