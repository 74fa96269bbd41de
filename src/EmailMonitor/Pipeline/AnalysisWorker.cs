using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using EmailMonitor.Analysis;
using EmailMonitor.Observability;
using EmailMonitor.PluginHost;
using EmailMonitor.Rules;
using EmailMonitor.Search;
using EmailMonitor.Security;

namespace EmailMonitor.Pipeline;

/// <summary>
/// Analyses fetched messages one at a time, in arrival order, and passes each verdict on with its
/// checkpoint. One at a time is what keeps each source's emails in order for Storage (see
/// <see cref="SourceCheckpoint"/>); analysing in parallel would need to restore that order here.
/// </summary>
internal sealed class AnalysisWorker(
    ChannelReader<IncomingEmail> incoming,
    ChannelWriter<AnalysedEmail> analysed,
    EmailAnalyzer analyzer,
    EmailJudges judges,
    RuleBook rules,
    SecurityLog securityLog,
    ServiceMetrics metrics,
    EmailTracing tracing,
    ILogger<AnalysisWorker> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.WatchQueue("analysis", () => incoming.Count);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var email in incoming.ReadAllAsync(stoppingToken))
            {
                await analysed.WriteAsync(await AnalyseAsync(email, stoppingToken), stoppingToken);
            }
        }
        finally
        {
            analysed.TryComplete();
        }
    }

    // The email's span ends here, before the wait for room in storage's queue: the gap after it is that wait.
    private async Task<AnalysedEmail> AnalyseAsync(IncomingEmail email, CancellationToken stoppingToken)
    {
        using var span = tracing.StartAnalyse(email.Trace, email.Origin);
        EmailEvent verdict;
        string headers;
        var started = Stopwatch.GetTimestamp();
        using (email.Content)
        {
            verdict = analyzer.Analyze(email.Content, email.Origin);
            headers = RawHeaders.Read(email.Content);
        }

        metrics.EmailAnalysed(Stopwatch.GetElapsedTime(started));

        // Before storage, once: what plugins and rules decide is stored, so every reader agrees on it.
        verdict = await judges.JudgeAsync(verdict, stoppingToken);
        var outcome = ApplyRules(verdict);
        securityLog.EmailFlagged(verdict);
        metrics.EmailFlagged(verdict.SecurityFlags);
        foreach (var matched in outcome.Matched)
        {
            metrics.RuleMatched(matched);
        }

        span?.SetTag("email.risk_score", outcome.Event.RiskScore);
        span?.SetTag("email.flags", outcome.Event.SecurityFlags.Count);
        if (outcome.SuppressedBy is { } rule)
        {
            span?.SetTag("email.suppressed", true);
            logger.EmailSuppressed(verdict.Id, verdict.Mailbox, verdict.Folder, rule);
        }

        return new AnalysedEmail(outcome.Event, email.Checkpoint)
        {
            Routes = outcome.Routes,
            Suppressed = outcome.SuppressedBy is not null,
            RawHeaders = headers,
            Payload = outcome.SuppressedBy is null ? JsonSerializer.Serialize(outcome.Event, EmailEventJson.Wire.EmailEvent) : null,
            Search = outcome.SuppressedBy is null ? SearchFields.Of(outcome.Event) : null,
            Trace = email.Trace,
        };
    }

    // A rule that fails in a way its checks did not foresee must not stop the mail: the email is
    // stored as analysed, and the log says why.
    private RuleOutcome ApplyRules(EmailEvent verdict)
    {
        try
        {
            return rules.Apply(verdict);
        }
        catch (Exception ex)
        {
            logger.RulesFailed(verdict.Id, ex);
            return new RuleOutcome(verdict, [], [], null);
        }
    }
}
