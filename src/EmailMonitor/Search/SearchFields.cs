using EmailMonitor.Analysis;

namespace EmailMonitor.Search;

/// <summary>
/// What an event is searched and filtered by, kept beside its stored JSON: its risk score, its
/// flags and tags (each list as <c>" a b "</c>, so one is found by <c>" a "</c>), and its words.
/// </summary>
internal sealed record SearchFields(int RiskScore, string Flags, string Tags, string Words)
{
    public static SearchFields Of(EmailEvent email) =>
        new(email.RiskScore, List(email.SecurityFlags), List(email.Tags), SearchWords.Document(email));

    /// <summary>The text a list column holds when it has <paramref name="item"/>.</summary>
    public static string Needle(string item) => $" {item} ";

    private static string List(IReadOnlyList<string> items) => items.Count == 0 ? " " : $" {string.Join(' ', items)} ";
}
