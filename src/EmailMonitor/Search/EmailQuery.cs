using System.Globalization;
using EmailMonitor.Analysis;

namespace EmailMonitor.Search;

/// <summary>
/// Reads an <see cref="EmailFilter"/> from <c>GET /api/emails</c>'s query: <c>q</c>, <c>mailbox</c>,
/// <c>folder</c>, <c>flag</c> and <c>tag</c> (each may repeat: all must hold), <c>min_risk</c>,
/// <c>since</c> and <c>until</c>. A value that cannot mean anything is refused with a sentence naming it.
/// </summary>
internal static class EmailQuery
{
    public const int MaxQueryLength = 1000;

    public const int MaxRepeats = 10;

    public static bool TryRead(IQueryCollection query, out EmailFilter filter, out string problem)
    {
        filter = EmailFilter.All;
        problem = string.Empty;
        if (!TrySingle(query, "mailbox", out var mailbox, ref problem)
            || !TrySingle(query, "folder", out var folder, ref problem)
            || !TrySingle(query, "q", out var text, ref problem)
            || !TryLabels(query, "flag", out var flags, ref problem)
            || !TryLabels(query, "tag", out var tags, ref problem)
            || !TryRisk(query, out var minRisk, ref problem)
            || !TryTime(query, "since", out var since, ref problem)
            || !TryTime(query, "until", out var until, ref problem))
        {
            return false;
        }

        IReadOnlyList<IReadOnlyList<string>> terms = [];
        if (text is not null)
        {
            if (text.Length > MaxQueryLength)
            {
                problem = $"'q' may be at most {MaxQueryLength} characters long.";
                return false;
            }

            terms = SearchWords.Terms(text);
            if (terms.Count == 0)
            {
                problem = "'q' holds no word to search for: words are letters and digits.";
                return false;
            }

            if (terms.Sum(term => term.Count) > SearchWords.MaxQueryWords)
            {
                problem = $"'q' may hold at most {SearchWords.MaxQueryWords} words.";
                return false;
            }
        }

        if (since is not null && until is not null && string.CompareOrdinal(since, until) >= 0)
        {
            problem = "'since' must be earlier than 'until'.";
            return false;
        }

        filter = new EmailFilter
        {
            Mailbox = mailbox,
            Folder = folder,
            Terms = terms,
            Flags = flags,
            Tags = tags,
            MinRiskScore = minRisk,
            ReceivedSince = since,
            ReceivedUntil = until,
        };
        return true;
    }

    private static bool TrySingle(IQueryCollection query, string name, out string? value, ref string problem)
    {
        value = null;
        var values = Given(query, name);
        if (values.Count > 1)
        {
            problem = $"'{name}' may be given once.";
            return false;
        }

        value = values.Count == 1 ? values[0] : null;
        return true;
    }

    // A parameter left empty (a form's "any" choice) is as good as absent.
    private static List<string> Given(IQueryCollection query, string name) =>
        [.. query[name].Where(value => !string.IsNullOrEmpty(value)).Select(value => value!)];

    // Flags and tags share one syntax (a plugin may add flags of its own), which also keeps the
    // separator of their columns out of them.
    private static bool TryLabels(IQueryCollection query, string name, out IReadOnlyList<string> labels, ref string problem)
    {
        labels = [];
        var values = Given(query, name);
        if (values.Count > MaxRepeats)
        {
            problem = $"'{name}' may be given at most {MaxRepeats} times.";
            return false;
        }

        var list = new List<string>();
        foreach (var value in values)
        {
            if (!EmailTags.IsValid(value))
            {
                problem = $"'{name}' must be {EmailTags.Syntax}.";
                return false;
            }

            list.Add(value);
        }

        labels = list;
        return true;
    }

    private static bool TryRisk(IQueryCollection query, out int? minRisk, ref string problem)
    {
        minRisk = null;
        var values = Given(query, "min_risk");
        if (values.Count == 0)
        {
            return true;
        }

        if (values.Count == 1 && int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= 100)
        {
            minRisk = value;
            return true;
        }

        problem = "'min_risk' must be a whole number from 0 to 100.";
        return false;
    }

    // An instant with its offset (2026-12-01T09:30:00Z, …+01:00) or a day (2026-12-01, midnight
    // UTC), compared with received_at as stored.
    private static bool TryTime(IQueryCollection query, string name, out string? stored, ref string problem)
    {
        stored = null;
        var values = Given(query, name);
        if (values.Count == 0)
        {
            return true;
        }

        string[] formats = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK"];
        if (values.Count == 1
            && DateTimeOffset.TryParseExact(values[0], formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
            && (values[0].Length == 10 || HasOffset(values[0])))
        {
            stored = instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            return true;
        }

        problem = $"'{name}' must be a date (2026-12-01) or a time with its offset (2026-12-01T09:30:00Z).";
        return false;
    }

    // A time without its offset would be read in some zone nobody chose.
    private static bool HasOffset(string value) =>
        value.EndsWith('Z') || value.EndsWith('z') || (value.Length > 6 && value[^6] is '+' or '-' && value[^3] == ':');
}
