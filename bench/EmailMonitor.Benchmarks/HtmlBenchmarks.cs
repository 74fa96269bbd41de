using AngleSharp.Html.Parser;
using BenchmarkDotNet.Attributes;
using EmailMonitor.Analysis;
using Ganss.Xss;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Benchmarks;

/// <summary>Sanitizing a 50 KB newsletter, next to its floor: AngleSharp parsing the same HTML.</summary>
[MemoryDiagnoser]
public class HtmlBenchmarks
{
    private readonly HtmlParser _parser = new();
    private readonly HtmlSanitizer _default = new();
    private readonly EmailHtmlSanitizer _email = new(Options.Create(new AnalysisOptions()));

    [Benchmark(Baseline = true, Description = "floor: AngleSharp parse")]
    public object Parse() => _parser.ParseDocument(SampleMessages.NewsletterHtml);

    [Benchmark(Description = "HtmlSanitizer, default options")]
    public string DefaultSanitizer() => _default.Sanitize(SampleMessages.NewsletterHtml);

    [Benchmark(Description = "EmailHtmlSanitizer (ours)")]
    public object EmailSanitizer() => _email.Sanitize(SampleMessages.NewsletterHtml);
}
