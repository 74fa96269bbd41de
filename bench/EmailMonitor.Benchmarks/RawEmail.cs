using EmailMonitor.Analysis;
using EmailMonitor.Pipeline;

namespace EmailMonitor.Benchmarks;

/// <summary>A sample message's bytes, analysed as the service analyses a fetched one.</summary>
internal sealed record RawEmail(byte[] Bytes);

internal static class RawEmailAnalysis
{
    private static readonly EmailOrigin Origin = new("default:INBOX:1:1", "default", "INBOX", DateTimeOffset.UnixEpoch);

    public static EmailEvent Analyze(this EmailAnalyzer analyzer, RawEmail email)
    {
        using var content = RawContent.FromBytes(email.Bytes);
        return analyzer.Analyze(content, Origin);
    }
}
