using EmailMonitor.Analysis;
using EmailMonitor.Plugins;

namespace EmailMonitor.PluginHost;

/// <summary>Between the service's event and what a plugin sees and says.</summary>
internal static class PluginFacts
{
    /// <summary>What a plugin sees: copies it cannot change, so the event stored is the service's own whatever the plugin does.</summary>
    public static EmailFacts Of(EmailEvent email) => new(
        email.Id,
        email.Mailbox,
        email.Folder,
        email.Sender,
        email.SenderName,
        email.Subject,
        ReadOnly(email.Recipients),
        email.TextContent,
        ReadOnly(email.Attachments.Select(a => new AttachmentFacts(a.Filename, a.ContentType, a.DetectedType, a.Size, a.Sha256, ReadOnly(a.Flags)))),
        ReadOnly(email.SecurityFlags),
        email.RiskScore,
        ReadOnly(email.Tags));

    /// <summary>
    /// A judge's answer taken into the service's own hands, within the call's time bound: its lists
    /// are enumerated there (a list that throws or never ends fails that call, not the pipeline) and
    /// cut to a sane length.
    /// </summary>
    public static Judgement Copy(Judgement? judgement) => judgement is null
        ? Judgement.None
        : new Judgement
        {
            Flags = [.. (judgement.Flags ?? []).Take(MaxAnswerItems)],
            Tags = [.. (judgement.Tags ?? []).Take(MaxAnswerItems)],
            ScoreChange = judgement.ScoreChange,
        };

    private const int MaxAnswerItems = 64;

    private static System.Collections.ObjectModel.ReadOnlyCollection<T> ReadOnly<T>(IEnumerable<T> items) => Array.AsReadOnly([.. items]);

    /// <summary>
    /// <paramref name="email"/> with a judge's verdict: known flags added (each adding its weight to
    /// the score, as analysis does), valid tags added, the score moved and kept within 0–100. What
    /// the service does not know is left out and returned, for the log.
    /// </summary>
    /// <remarks>Takes an answer made by <see cref="Copy"/>.</remarks>
    public static (EmailEvent Email, IReadOnlyList<string> Refused) Apply(EmailEvent email, Judgement judgement)
    {
        var refused = new List<string>();
        var flags = new List<string>(email.SecurityFlags);
        var score = email.RiskScore;
        foreach (var flag in judgement.Flags)
        {
            if (flag is null || !SecurityFlags.Weights.TryGetValue(flag, out var weight))
            {
                refused.Add($"flag '{Shorten(flag)}'");
            }
            else if (!flags.Contains(flag, StringComparer.Ordinal))
            {
                flags.Add(flag);
                score += weight;
            }
        }

        var tags = new List<string>();
        foreach (var tag in judgement.Tags)
        {
            if (tag is not null && EmailTags.IsValid(tag))
            {
                tags.Add(tag);
            }
            else
            {
                refused.Add($"tag '{Shorten(tag)}'");
            }
        }

        score = Math.Clamp(Math.Min(score, 100) + Math.Clamp(judgement.ScoreChange, -100, 100), 0, 100);
        return (email with { SecurityFlags = flags, Tags = EmailTags.Add(email.Tags, tags), RiskScore = score }, refused);
    }

    private static string Shorten(string? value) =>
        value is null ? "(null)" : new string([.. value.Take(40).Where(c => !char.IsControl(c))]);
}
