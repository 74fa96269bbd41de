using BenchmarkDotNet.Attributes;
using EmailMonitor.Analysis;
using EmailMonitor.Realtime;
using EmailMonitor.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace EmailMonitor.Benchmarks;

/// <summary>
/// The per-email work between the IMAP fetch and the WebSocket send, each step next to its
/// floor: MimeKit's bare parse of the same bytes.
/// </summary>
[MemoryDiagnoser]
public class IngestBenchmarks
{
    private static readonly IOptions<AnalysisOptions> Options = Microsoft.Extensions.Options.Options.Create(new AnalysisOptions());

    private readonly EmailAnalyzer _analyzer = new(
        new EmailHtmlSanitizer(Options), new AttachmentInspector(Options), new HeaderInspector(Options), NullLogger<EmailAnalyzer>.Instance);

    private readonly RawEmail _plain = new(SampleMessages.PlainText);
    private readonly RawEmail _newsletter = new(SampleMessages.HtmlNewsletter);
    private readonly StoredEvent _stored;

    public IngestBenchmarks()
    {
        // Guard against measuring nothing: both samples must have a body the analyzer reads.
        if (_analyzer.Analyze(_newsletter).HtmlContent.Length < 10_000 || _analyzer.Analyze(_plain).TextContent.Length < 1_000)
        {
            throw new InvalidOperationException("The sample messages did not parse as intended.");
        }

        var email = _analyzer.Analyze(_plain);
        _stored = new StoredEvent(42, "default", System.Text.Json.JsonSerializer.Serialize(email, EmailEventJson.Default.EmailEvent));
    }

    [Benchmark(Baseline = true, Description = "floor: MimeKit parse, plain text")]
    public MimeMessage ParsePlain() => MimeMessage.Load(new MemoryStream(SampleMessages.PlainText));

    [Benchmark(Description = "analyse plain text")]
    public object AnalysePlain() => _analyzer.Analyze(_plain);

    [Benchmark(Description = "floor: MimeKit parse, HTML newsletter")]
    public MimeMessage ParseNewsletter() => MimeMessage.Load(new MemoryStream(SampleMessages.HtmlNewsletter));

    [Benchmark(Description = "analyse HTML newsletter")]
    public object AnalyseNewsletter() => _analyzer.Analyze(_newsletter);

    [Benchmark(Description = "new_email frame for one event")]
    public byte[] BuildFrame() => ServerMessages.NewEmail(_stored);
}
