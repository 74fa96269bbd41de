using BenchmarkDotNet.Attributes;
using EmailMonitor.Analysis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace EmailMonitor.Benchmarks;

/// <summary>
/// A realistic mix analysed on one thread: of every 20 emails, 14 short plain-text ones, 5 HTML
/// newsletters and one with a 3 MB attachment. One operation is 20 emails; emails per second on
/// one core is 20 divided by the mean.
/// </summary>
[MemoryDiagnoser]
public class MixBenchmarks
{
    private static readonly IOptions<AnalysisOptions> Options = Microsoft.Extensions.Options.Options.Create(new AnalysisOptions());

    private readonly EmailAnalyzer _analyzer = new(
        new EmailHtmlSanitizer(Options), new AttachmentInspector(Options), new HeaderInspector(Options), NullLogger<EmailAnalyzer>.Instance);

    private readonly RawEmail[] _mix =
    [
        .. Enumerable.Repeat(SampleMessages.PlainText, 14).Select(Raw),
        .. Enumerable.Repeat(SampleMessages.HtmlNewsletter, 5).Select(Raw),
        Raw(SampleMessages.WithLargeAttachment),
    ];

    [Benchmark(Description = "floor: MimeKit parse of the 20 emails")]
    public int ParseMix()
    {
        var parts = 0;
        foreach (var email in _mix)
        {
            using var message = MimeMessage.Load(new MemoryStream(email.Bytes, writable: false));
            parts += message.BodyParts.Count();
        }

        return parts;
    }

    [Benchmark(Description = "analyse the 20 emails")]
    public int AnalyseMix()
    {
        var flags = 0;
        foreach (var email in _mix)
        {
            flags += _analyzer.Analyze(email).SecurityFlags.Count;
        }

        return flags;
    }

    private static RawEmail Raw(byte[] content) => new(content);
}
