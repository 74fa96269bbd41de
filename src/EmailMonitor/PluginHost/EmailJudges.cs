using EmailMonitor.Analysis;
using EmailMonitor.Plugins;

namespace EmailMonitor.PluginHost;

/// <summary>Passes each analysed email to every judge plugin in turn, before the rules and storage.</summary>
internal sealed class EmailJudges(PluginCatalog catalog, PluginCalls calls, ILogger<EmailJudges> logger)
{
    public async Task<EmailEvent> JudgeAsync(EmailEvent email, CancellationToken cancellationToken)
    {
        foreach (var judge in catalog.Judges)
        {
            var facts = PluginFacts.Of(email);
            var judgement = await calls.CallAsync<IEmailJudge, Judgement>(
                judge, async (plugin, token) => PluginFacts.Copy(await plugin.JudgeAsync(facts, token)), email.Id, cancellationToken);
            if (judgement is null)
            {
                continue;
            }

            var (judged, refused) = PluginFacts.Apply(email, judgement);
            if (refused.Count > 0)
            {
                logger.JudgementPartlyRefused(judge.Name, email.Id, string.Join(", ", refused.Take(5)) + (refused.Count > 5 ? $" and {refused.Count - 5} more" : string.Empty));
            }

            email = judged;
        }

        return email;
    }
}
