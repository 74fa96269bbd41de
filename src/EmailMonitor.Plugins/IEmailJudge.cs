namespace EmailMonitor.Plugins;

/// <summary>
/// Judges each analysed email before it is stored, after the built-in analysis and before the
/// rules: its verdict (flags, tags, a score change) is stored with the event, so every client sees
/// it. Called for one email at a time, in arrival order, within the service's time bound per call
/// (<c>PLUGIN_TIMEOUT_MS</c>); a call that throws or runs past the bound is logged and skipped, and the
/// email goes on without it.
/// </summary>
public interface IEmailJudge : IEmailPlugin
{
    /// <summary>The verdict on <paramref name="email"/>; <see cref="Judgement.None"/> to leave it as it is.</summary>
    ValueTask<Judgement> JudgeAsync(EmailFacts email, CancellationToken cancellationToken);
}
