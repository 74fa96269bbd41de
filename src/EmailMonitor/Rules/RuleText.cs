using System.Globalization;
using System.Text;

namespace EmailMonitor.Rules;

/// <summary>
/// The forms rules compare text in, so that what a sender can vary without changing what a reader
/// sees does not dodge a rule: a subject without invisible format characters (zero-width spaces,
/// bidi controls) and in compatibility form (fullwidth letters read as letters); a domain in its
/// ASCII (punycode) form, whichever way it was written.
/// </summary>
internal static class RuleText
{
    public static string Subject(string subject)
    {
        var visible = new StringBuilder(subject.Length);
        foreach (var c in subject)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.Format)
            {
                visible.Append(c);
            }
        }

        try
        {
            return visible.ToString().Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            // Unpaired surrogates cannot be normalised; the text as it is still matches what it shows.
            return visible.ToString();
        }
    }

    /// <remarks>Without a leading <c>www.</c>, as <see cref="Analysis.Domains.DomainOf"/> reads a sender's domain.</remarks>
    public static string Domain(string domain)
    {
        var lower = domain.Trim().TrimEnd('.').ToLowerInvariant();
        lower = lower.StartsWith("www.", StringComparison.Ordinal) ? lower[4..] : lower;
        try
        {
            return new IdnMapping().GetAscii(lower);
        }
        catch (ArgumentException)
        {
            return lower;
        }
    }
}
