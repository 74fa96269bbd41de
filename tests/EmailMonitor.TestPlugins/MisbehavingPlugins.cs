using EmailMonitor.Plugins;

namespace EmailMonitor.TestPlugins;

/// <summary>Throws on every email.</summary>
public sealed class ThrowingJudge : IEmailJudge
{
    public string Name => "throwing";

    public ValueTask<Judgement> JudgeAsync(EmailFacts email, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the throwing judge throws, as asked");
}

/// <summary>
/// Blocks its thread, ignoring its token, on an email whose subject asks for it: far past any time
/// bound, though not for good, so a test run does not keep the thread to its end.
/// </summary>
public sealed class HangingJudge : IEmailJudge
{
    public string Name => "hanging";

    public ValueTask<Judgement> JudgeAsync(EmailFacts email, CancellationToken cancellationToken)
    {
        if (email.Subject.Contains("hang", StringComparison.Ordinal))
        {
            Thread.Sleep(TimeSpan.FromSeconds(30));
        }

        return ValueTask.FromResult(new Judgement { Tags = ["hanging-judge-was-here"] });
    }
}

/// <summary>Answers with what the service does not know: an unknown flag, a hostile tag, an absurd score.</summary>
public sealed class UnknownVerdictJudge : IEmailJudge
{
    public string Name => "unknown-verdicts";

    public ValueTask<Judgement> JudgeAsync(EmailFacts email, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new Judgement
        {
            Flags = ["made_up_flag", "sender_spoofing"],
            Tags = ["<script>alert(1)</script>", "checked"],
            ScoreChange = int.MinValue,
        });
}
