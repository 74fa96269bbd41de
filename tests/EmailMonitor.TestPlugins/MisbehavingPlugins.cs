using EmailMonitor.Plugins;

namespace EmailMonitor.TestPlugins;

/// <summary>Throws on every email.</summary>
public sealed class ThrowingJudge : IEmailJudge
{
    public string Name => "throwing";

    public ValueTask<Judgement> JudgeAsync(EmailFacts email, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the throwing judge throws, as asked");
}

/// <summary>Blocks its thread for good on the first email whose subject asks for it, ignoring its token.</summary>
public sealed class HangingJudge : IEmailJudge
{
    public string Name => "hanging";

    public ValueTask<Judgement> JudgeAsync(EmailFacts email, CancellationToken cancellationToken)
    {
        if (email.Subject.Contains("hang", StringComparison.Ordinal))
        {
            Thread.Sleep(Timeout.Infinite);
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
