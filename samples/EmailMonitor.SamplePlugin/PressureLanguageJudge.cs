using EmailMonitor.Plugins;

namespace EmailMonitor.SamplePlugin;

/// <summary>
/// Tags mail that pushes its reader to act at once ("verify your account within 24 hours"), the
/// lever most lures pull, and adds a little to its score; more when it comes with an attachment
/// or a link the analysis already found suspicious.
/// </summary>
public sealed class PressureLanguageJudge : IEmailJudge
{
    private static readonly string[] Phrases =
    [
        "urgent", "immediately", "within 24 hours", "act now", "verify your account", "account will be suspended",
        "password expires", "final notice", "unusual sign-in", "confirm your identity",
    ];

    public string Name => "pressure-language";

    public ValueTask<Judgement> JudgeAsync(EmailFacts email, CancellationToken cancellationToken)
    {
        var text = email.Subject + "\n" + (email.TextContent.Length > 20_000 ? email.TextContent[..20_000] : email.TextContent);
        var found = Phrases.Count(phrase => text.Contains(phrase, StringComparison.OrdinalIgnoreCase));
        if (found == 0)
        {
            return ValueTask.FromResult(Judgement.None);
        }

        var withLure = email.Attachments.Count > 0 || email.SecurityFlags.Contains("suspicious_link");
        return ValueTask.FromResult(new Judgement
        {
            Tags = ["pressure-language"],
            ScoreChange = Math.Min(30, found * 10) + (withLure ? 10 : 0),
        });
    }
}
