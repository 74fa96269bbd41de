using System.Diagnostics;
using System.Threading.Channels;
using EmailMonitor.Analysis;
using EmailMonitor.Observability;
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
    SecurityLog securityLog,
    ServiceMetrics metrics) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var email in incoming.ReadAllAsync(stoppingToken))
            {
                EmailEvent verdict;
                var started = Stopwatch.GetTimestamp();
                using (email.Content)
                {
                    verdict = analyzer.Analyze(email.Content, email.Origin);
                }

                metrics.EmailAnalysed(Stopwatch.GetElapsedTime(started));

                securityLog.EmailFlagged(verdict);
                metrics.EmailFlagged(verdict.SecurityFlags);
                await analysed.WriteAsync(new AnalysedEmail(verdict, email.Checkpoint), stoppingToken);
            }
        }
        finally
        {
            analysed.TryComplete();
        }
    }
}
