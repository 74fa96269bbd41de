using System.Text.RegularExpressions;

namespace EmailMonitor.Rules;

/// <summary>
/// A rule's subject pattern, compiled so that no subject can make it run long: the non-backtracking
/// engine (time linear in the subject) wherever the pattern allows it, and otherwise the usual one
/// under <see cref="MatchTimeout"/>, past which the rule counts as not matching (and, all such
/// patterns together, under <see cref="RuleBook.PatternBudget"/> per email).
/// </summary>
internal static class RuleSubject
{
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(50);

    private const RegexOptions Options = RegexOptions.CultureInvariant;

    public static Regex Compile(string pattern)
    {
        try
        {
            // Linear in the subject (4 KiB at most) whatever the pattern: no timeout to trip over,
            // not even the first match on a busy machine, when the engine builds its automaton.
            return new Regex(pattern, Options | RegexOptions.NonBacktracking, Regex.InfiniteMatchTimeout);
        }
        catch (NotSupportedException)
        {
            // Backreferences, lookarounds, atomic groups: only the backtracking engine has them.
            return new Regex(pattern, Options, MatchTimeout);
        }
    }

    /// <summary>Why <paramref name="pattern"/> cannot be a subject pattern, or null when it can.</summary>
    public static string? Problem(string pattern)
    {
        if (pattern.Length is 0 or > RuleRequest.MaxPatternLength)
        {
            return $"must be a regular expression of 1–{RuleRequest.MaxPatternLength} characters";
        }

        try
        {
            _ = Compile(pattern);
            return null;
        }
        catch (ArgumentException ex)
        {
            // The parser's own words say where the pattern breaks ("Not enough )'s", at which offset).
            return $"is not a valid .NET regular expression: {ex.Message}";
        }
    }
}
