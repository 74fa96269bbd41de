using System.Formats.Tar;
using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using EmailMonitor.Analysis;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;

namespace EmailMonitor.Benchmarks;

/// <summary>
/// Messages carrying a 1 MiB archive (ZIP, and tar.gz) of 20 members: analysing them, which
/// decodes, hashes and looks into the archive, next to MimeKit's bare parse of the same bytes.
/// </summary>
[MemoryDiagnoser]
public class ArchiveBenchmarks
{
    private static readonly Microsoft.Extensions.Options.IOptions<AnalysisOptions> Options = Microsoft.Extensions.Options.Options.Create(new AnalysisOptions());

    private readonly EmailAnalyzer _analyzer = new(
        new EmailHtmlSanitizer(Options), new AttachmentInspector(Options), new HeaderInspector(Options), NullLogger<EmailAnalyzer>.Instance);

    private readonly byte[] _withZip = WithAttachment("photos.zip", Zip());
    private readonly byte[] _withTarGz = WithAttachment("photos.tar.gz", TarGz());

    [Benchmark(Baseline = true, Description = "floor: MimeKit parse, 1 MiB ZIP attached")]
    public MimeMessage ParseZip() => MimeMessage.Load(new MemoryStream(_withZip));

    [Benchmark(Description = "analyse, 1 MiB ZIP attached")]
    public object AnalyseZip() => _analyzer.Analyze(Raw(_withZip));

    [Benchmark(Description = "floor: MimeKit parse, 1 MiB tar.gz attached")]
    public MimeMessage ParseTarGz() => MimeMessage.Load(new MemoryStream(_withTarGz));

    [Benchmark(Description = "analyse, 1 MiB tar.gz attached")]
    public object AnalyseTarGz() => _analyzer.Analyze(Raw(_withTarGz));

    private static RawEmail Raw(byte[] message) => new(message);

    // Incompressible members, as photos are, so the archive is really 1 MiB.
    private static List<(string Name, byte[] Content)> Members()
    {
        var random = new Random(42);
        return Enumerable.Range(1, 20).Select(i =>
        {
            var content = new byte[52_428];
            random.NextBytes(content);
            return ($"photo-{i}.jpg", content);
        }).ToList();
    }

    private static byte[] Zip()
    {
        using var stream = new MemoryStream();
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in Members())
            {
                using var entry = archive.CreateEntry(name, CompressionLevel.NoCompression).Open();
                entry.Write(content);
            }
        }

        return stream.ToArray();
    }

    private static byte[] TarGz()
    {
        using var stream = new MemoryStream();
        using (var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var (name, content) in Members())
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
            }
        }

        return stream.ToArray();
    }

    private static byte[] WithAttachment(string name, byte[] content)
    {
        var builder = new BodyBuilder { TextBody = "The photos from Saturday." };
        builder.Attachments.Add(name, content);
        var message = new MimeMessage { Subject = "photos", Body = builder.ToMessageBody() };
        message.From.Add(new MailboxAddress("Alice", "alice@example.com"));
        message.To.Add(new MailboxAddress("Monitor", "monitor@example.com"));
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return stream.ToArray();
    }
}
