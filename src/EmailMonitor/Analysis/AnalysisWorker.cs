using System.Diagnostics;
using System.Threading.Channels;
using EmailMonitor.Mail;
using EmailMonitor.Observability;
using EmailMonitor.Security;

namespace EmailMonitor.Analysis;

/// <summary>Analyses raw messages one at a time, in arrival order, and passes each verdict to storage.</summary>
internal sealed class AnalysisWorker(
    ChannelReader<RawEmail> raw,
    ChannelWriter<AnalysedEmail> analysed,
    EmailAnalyzer analyzer,
    SecurityLog securityLog,
    ServiceMetrics metrics) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var email in raw.ReadAllAsync(stoppingToken))
            {
                EmailEvent verdict;
                var started = Stopwatch.GetTimestamp();
                using (email.Content)
                {
                    verdict = analyzer.Analyze(email);
                }

                metrics.EmailAnalysed(Stopwatch.GetElapsedTime(started));

                securityLog.EmailFlagged(verdict);
                metrics.EmailFlagged(verdict.SecurityFlags);
                await analysed.WriteAsync(new AnalysedEmail(email.Folder, email.UidValidity, email.Uid, verdict), stoppingToken);
            }
        }
        finally
        {
            analysed.TryComplete();
        }
    }
}
