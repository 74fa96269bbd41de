using System.Threading.Channels;
using EmailMonitor.Configuration;
using EmailMonitor.Pipeline;

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
        // Wait, not drop: a full queue pauses the fetch on the mail server's connection. Small, because
        // each item holds a whole message.
        builder.Services.AddBoundedChannel<IncomingEmail>(capacity: 16, BoundedChannelFullMode.Wait);
        builder.Services.AddHostedService<AnalysisWorker>();
        return builder;
    }
}
