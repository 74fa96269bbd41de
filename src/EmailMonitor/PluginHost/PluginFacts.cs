using EmailMonitor.Analysis;
using EmailMonitor.Plugins;

namespace EmailMonitor.PluginHost;

/// <summary>Between the service's event and what a plugin sees and says.</summary>
internal static class PluginFacts
{
    public static EmailFacts Of(EmailEvent email) => new(
        email.Id,
        email.Mailbox,
        email.Folder,
        email.Sender,
        email.SenderName,
        email.Subject,
        email.Recipients,
        email.TextContent,
        [.. email.Attachments.Select(a => new AttachmentFacts(a.Filename, a.ContentType, a.DetectedType, a.Size, a.Sha256, a.Flags))],
        email.SecurityFlags,
        email.RiskScore,
        email.Tags);

    /// <summary>
    /// <paramref name="email"/> with a judge's verdict: known flags added (each adding its weight to
    /// the score, as analysis does), valid tags added, the score moved and kept within 0–100. What
    /// the service does not know is left out and returned, for the log.
    /// </summary>
    public static (EmailEvent Email, IReadOnlyList<string> Refused) Apply(EmailEvent email, Judgement judgement)
    {
        var refused = new List<string>();
        var flags = new List<string>(email.SecurityFlags);
        var score = email.RiskScore;
        foreach (var flag in judgement.Flags ?? [])
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
        foreach (var tag in judgement.Tags ?? [])
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
