using System.Globalization;
using System.Net;
using System.Text;
using EmailMonitor.Analysis;

namespace EmailMonitor.Search;

/// <summary>
/// Words as search sees them, cut the same way for what is stored and what is asked, on either
/// engine: runs of letters, combining marks and digits, lower-cased. Chinese and Japanese are
/// written without spaces, so each ideograph or kana is a word of its own.
/// </summary>
/// <remarks>
/// The engines' own tokenizers disagree (PostgreSQL keeps <c>alice@example.com</c> whole, SQLite's
/// splits it; neither cuts ideographs), so neither sees raw text: both index the words made here,
/// already separated by single spaces.
/// </remarks>
internal static class SearchWords
{
    /// <summary>How much of an email's text is indexed: enough for any real message, and a bound on the work.</summary>
    public const int MaxIndexedChars = 100_000;

    /// <summary>The most words a query may hold; more is refused rather than cut, so a query means what it says.</summary>
    public const int MaxQueryWords = 32;

    /// <summary>A word longer than this is cut: no real word is, and an index entry stays small.</summary>
    public const int MaxWordChars = 100;

    /// <summary>The words of an email that search finds it by: subject, sender, recipients, attachment names and text.</summary>
    public static string Document(EmailEvent email)
    {
        var document = new StringBuilder();
        var budget = MaxIndexedChars;
        Append(document, email.Subject, ref budget);
        Append(document, email.Sender, ref budget);
        Append(document, email.SenderName, ref budget);
        foreach (var recipient in email.Recipients)
        {
            Append(document, recipient, ref budget);
        }

        foreach (var attachment in email.Attachments)
        {
            Append(document, attachment.Filename, ref budget);
        }

        // Much phishing has no text part: its words are those the HTML shows.
        Append(document, email.TextContent.Length > 0 ? email.TextContent : ShownText(email.HtmlContent), ref budget);
        return document.ToString();
    }

    /// <summary>
    /// A query's terms, one per part between spaces: a word, or the phrase of the words the part
    /// holds (<c>alice@example.com</c>, <c>e-mail</c>, a run of ideographs). Empty when the text
    /// holds no word at all.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Terms(string query)
    {
        var terms = new List<IReadOnlyList<string>>();
        foreach (var part in query.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var words = Split(part).ToList();
            if (words.Count > 0)
            {
                terms.Add(words);
            }
        }

        return terms;
    }

    // The sanitized HTML with its tags (and so its attributes and links) left out, in one pass:
    // good enough for finding words, never used to show anything.
    private static string ShownText(string html)
    {
        var text = new StringBuilder(Math.Min(html.Length, MaxIndexedChars));
        var inTag = false;
        foreach (var c in html.AsSpan(0, Math.Min(html.Length, MaxIndexedChars * 4)))
        {
            if (c == '<')
            {
                inTag = true;
            }
            else if (c == '>' && inTag)
            {
                inTag = false;
                text.Append(' ');
            }
            else if (!inTag)
            {
                text.Append(c);
            }
        }

        return WebUtility.HtmlDecode(text.ToString());
    }

    private static void Append(StringBuilder document, string text, ref int budget)
    {
        if (budget <= 0 || string.IsNullOrEmpty(text))
        {
            return;
        }

        var part = text.Length > budget ? text[..budget] : text;
        budget -= part.Length;
        foreach (var word in Split(part))
        {
            if (document.Length > 0)
            {
                document.Append(' ');
            }

            document.Append(word);
        }
    }

    private static IEnumerable<string> Split(string text)
    {
        var word = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsIdeograph(rune))
            {
                if (word.Length > 0)
                {
                    yield return Cut(word);
                    word.Clear();
                }

                yield return rune.ToString();
            }
            else if (IsWordPart(rune))
            {
                var lower = Rune.ToLowerInvariant(rune);
                if (lower.IsBmp)
                {
                    word.Append((char)lower.Value);
                }
                else
                {
                    word.Append(lower.ToString());
                }
            }
            else if (word.Length > 0)
            {
                yield return Cut(word);
                word.Clear();
            }
        }

        if (word.Length > 0)
        {
            yield return Cut(word);
        }
    }

    private static string Cut(StringBuilder word)
    {
        if (word.Length <= MaxWordChars)
        {
            return word.ToString();
        }

        // Never between the halves of a surrogate pair.
        var length = char.IsHighSurrogate(word[MaxWordChars - 1]) ? MaxWordChars - 1 : MaxWordChars;
        return word.ToString(0, length);
    }

    private static bool IsWordPart(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
        _ => false,
    };

    // Han (the unified blocks, their extensions and compatibility forms), hiragana and katakana.
    private static bool IsIdeograph(Rune rune) => rune.Value switch
    {
        >= 0x3040 and <= 0x30FF => true,
        >= 0x31F0 and <= 0x31FF => true,
        >= 0x3400 and <= 0x4DBF => true,
        >= 0x4E00 and <= 0x9FFF => true,
        >= 0xF900 and <= 0xFAFF => true,
        >= 0x20000 and <= 0x3FFFF => true,
        _ => false,
    };
}
