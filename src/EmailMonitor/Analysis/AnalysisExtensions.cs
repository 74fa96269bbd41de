using System.Threading.Channels;
using EmailMonitor.Configuration;
using EmailMonitor.Mail;

namespace EmailMonitor.Analysis;

internal static class AnalysisExtensions
{
    public static IHostApplicationBuilder AddAnalysis(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<AnalysisOptions, AnalysisOptionsValidator>(AnalysisOptions.Section);
        builder.Services.AddSingleton<EmailHtmlSanitizer>();
        builder.Services.AddSingleton<AttachmentInspector>();
        builder.Services.AddSingleton<HeaderInspector>();
        builder.Services.AddSingleton<EmailAnalyzer>();
        // Wait, not drop: a full queue pauses the fetch on the IMAP connection. Small, because
        // each item holds a whole message.
        builder.Services.AddBoundedChannel<RawEmail>(capacity: 16, BoundedChannelFullMode.Wait);
        builder.Services.AddHostedService<AnalysisWorker>();
        return builder;
    }
}
