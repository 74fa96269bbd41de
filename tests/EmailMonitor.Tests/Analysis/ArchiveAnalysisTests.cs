using EmailMonitor.Analysis;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Analysis;

/// <summary>RAR, 7z, gzip and tar.gz attachments are looked into one level deep, like ZIP.</summary>
public sealed class ArchiveAnalysisTests
{
    private static readonly (string, byte[])[] CleanFiles = [("notes.txt", SampleFiles.Text), ("photo.png", SampleFiles.Png)];

    [Theory]
    [InlineData("clean 7z", "files.7z", new string[0])]
    [InlineData("7z holding an executable", "files.7z", new[] { SecurityFlags.DangerousAttachment })]
    [InlineData("7z holding a double extension", "files.7z", new[] { SecurityFlags.DangerousAttachment, SecurityFlags.DoubleExtension })]
    [InlineData("7z holding a right-to-left override", "files.7z", new[] { SecurityFlags.RtloFilename })]
    [InlineData("non-solid 7z hiding executable content under a harmless name", "files.7z", new[] { SecurityFlags.DangerousAttachment })]
    [InlineData("7z with a password, names visible", "files.7z", new[] { SecurityFlags.EncryptedArchive, SecurityFlags.DangerousAttachment })]
    [InlineData("7z with a password and encrypted names", "files.7z", new[] { SecurityFlags.EncryptedArchive })]
    [InlineData("clean RAR", "files.rar", new string[0])]
    [InlineData("RAR holding an executable", "files.rar", new[] { SecurityFlags.DangerousAttachment })]
    [InlineData("RAR hiding executable content under a harmless name", "files.rar", new[] { SecurityFlags.DangerousAttachment })]
    [InlineData("RAR with an encrypted member", "files.rar", new[] { SecurityFlags.EncryptedArchive })]
    [InlineData("clean gzip", "notes.txt.gz", new string[0])]
    [InlineData("gzip of an executable, named by the attachment", "invoice.exe.gz", new[] { SecurityFlags.DangerousAttachment })]
    [InlineData("gzip whose header names a script", "data.gz", new[] { SecurityFlags.DangerousAttachment })]
    [InlineData("gzip of executable content", "data.gz", new[] { SecurityFlags.DangerousAttachment })]
    [InlineData("clean tar.gz", "files.tar.gz", new string[0])]
    [InlineData("tar.gz holding a double extension", "files.tgz", new[] { SecurityFlags.DangerousAttachment, SecurityFlags.DoubleExtension })]
    [InlineData("tar.gz hiding executable content", "files.tgz", new[] { SecurityFlags.DangerousAttachment })]
    public void Each_archive_gets_exactly_its_flags(string description, string fileName, string[] expectedFlags)
    {
        var content = Build(description);

        var email = Analyzers.Create().Analyze(Analyzers.WithAttachment(fileName, content));

        var attachment = Assert.Single(email.Attachments);
        Assert.True(expectedFlags.Order().SequenceEqual(attachment.Flags.Order()), $"{description}: expected [{string.Join(", ", expectedFlags)}], got [{string.Join(", ", attachment.Flags)}]");
    }

    [Theory]
    [InlineData("files.7z")]
    [InlineData("files.rar")]
    [InlineData("files.tgz")]
    public void Damaged_archives_of_every_format_give_a_verdict_and_never_throw(string fileName)
    {
        var whole = fileName switch
        {
            "files.7z" => SampleArchives.SevenZip([("setup.exe", SampleFiles.WindowsExecutable), .. CleanFiles]),
            "files.rar" => SampleArchives.Rar5(("setup.exe", SampleFiles.WindowsExecutable, false), ("notes.txt", SampleFiles.Text, false)),
            _ => SampleArchives.TarGz(("setup.exe", SampleFiles.WindowsExecutable), ("notes.txt", SampleFiles.Text)),
        };
        var analyzer = Analyzers.Create();
        var random = new Random(20261126);

        // Every cut, and a spread of single-byte corruptions, of one archive.
        var damaged = Enumerable.Range(1, whole.Length - 1).Select(length => whole[..length]).ToList();
        for (var i = 0; i < 300; i++)
        {
            var copy = (byte[])whole.Clone();
            copy[random.Next(8, copy.Length)] ^= (byte)random.Next(1, 256);
            damaged.Add(copy);
        }

        foreach (var bytes in damaged)
        {
            var attachment = Assert.Single(analyzer.Analyze(Analyzers.WithAttachment(fileName, bytes)).Attachments);
            Assert.Equal(bytes.Length, attachment.Size);
        }
    }

    private static byte[] Build(string description) => description switch
    {
        "clean 7z" => SampleArchives.SevenZip(CleanFiles),
        "7z holding an executable" => SampleArchives.SevenZip([("setup.exe", SampleFiles.WindowsExecutable), .. CleanFiles]),
        "7z holding a double extension" => SampleArchives.SevenZip([("invoice.pdf.exe", SampleFiles.Text)]),
        "7z holding a right-to-left override" => SampleArchives.SevenZip([("invoice\u202Efdp.txt", SampleFiles.Text)]),
        "non-solid 7z hiding executable content under a harmless name" =>
            SampleArchives.SevenZip([("notes.txt", SampleFiles.Text), ("readme.txt", SampleFiles.WindowsExecutable)], solid: false),
        "7z with a password, names visible" => SampleArchives.SevenZip([("setup.exe", SampleFiles.WindowsExecutable)], password: "s3cret"),
        "7z with a password and encrypted names" => SampleArchives.SevenZip([("setup.exe", SampleFiles.WindowsExecutable)], password: "s3cret", encryptNames: true),
        "clean RAR" => SampleArchives.Rar5(("notes.txt", SampleFiles.Text, false), ("photo.png", SampleFiles.Png, false)),
        "RAR holding an executable" => SampleArchives.Rar5(("notes.txt", SampleFiles.Text, false), ("setup.exe", SampleFiles.WindowsExecutable, false)),
        "RAR hiding executable content under a harmless name" => SampleArchives.Rar5(("readme.txt", SampleFiles.WindowsExecutable, false)),
        "RAR with an encrypted member" => SampleArchives.Rar5(("contract.pdf", SampleFiles.Pdf, true)),
        "clean gzip" => SampleArchives.Gzip(SampleFiles.Text),
        "gzip of an executable, named by the attachment" => SampleArchives.Gzip(SampleFiles.Text),
        "gzip whose header names a script" => SampleArchives.Gzip(SampleFiles.Text, originalName: "update.vbs"),
        "gzip of executable content" => SampleArchives.Gzip(SampleFiles.LinuxExecutable),
        "clean tar.gz" => SampleArchives.TarGz(("notes.txt", SampleFiles.Text), ("photo.png", SampleFiles.Png)),
        "tar.gz holding a double extension" => SampleArchives.TarGz(("docs/invoice.pdf.exe", SampleFiles.Text)),
        "tar.gz hiding executable content" => SampleArchives.TarGz(("notes.txt", SampleFiles.Text), ("docs/readme.txt", SampleFiles.ShellScript)),
        _ => throw new ArgumentException(description),
    };
}
