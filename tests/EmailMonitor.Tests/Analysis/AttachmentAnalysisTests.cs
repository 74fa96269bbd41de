using System.Security.Cryptography;
using System.Text;
using EmailMonitor.Analysis;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Analysis;

/// <summary>Each attachment trick with the flags it must raise, and clean files with none.</summary>
public sealed class AttachmentAnalysisTests
{
    public static TheoryData<string, string, byte[], string, string[]> Corpus => new()
    {
        { "clean PDF", "report.pdf", SampleFiles.Pdf, "application/pdf", [] },
        { "clean PNG", "photo.png", SampleFiles.Png, "image/png", [] },
        { "clean text", "notes.txt", SampleFiles.Text, "text/plain", [] },
        { "clean Word document", "letter.docx", SampleFiles.OfficeDocument("word", withVbaProject: false), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", [] },
        { "clean ZIP", "photos.zip", SampleFiles.Zip(("a.jpg", SampleFiles.Jpeg), ("b.png", SampleFiles.Png)), "application/zip", [] },
        { "clean legacy document", "legacy.doc", SampleFiles.Ole2(withVbaProject: false), "application/msword", [] },
        { "executable", "setup.exe", SampleFiles.WindowsExecutable, "application/octet-stream", [SecurityFlags.DangerousAttachment] },
        { "executable named as a PDF", "invoice.pdf", SampleFiles.WindowsExecutable, "application/pdf", [SecurityFlags.DangerousAttachment, SecurityFlags.TypeMismatch] },
        { "double extension", "invoice.pdf.exe", SampleFiles.WindowsExecutable, "application/octet-stream", [SecurityFlags.DangerousAttachment, SecurityFlags.DoubleExtension] },
        { "double extension declared as a PDF", "invoice.pdf.exe", SampleFiles.WindowsExecutable, "application/pdf", [SecurityFlags.DangerousAttachment, SecurityFlags.DoubleExtension, SecurityFlags.TypeMismatch] },
        { "double extension hidden by spaces", "invoice.pdf                    .scr", SampleFiles.WindowsExecutable, "application/octet-stream", [SecurityFlags.DangerousAttachment, SecurityFlags.DoubleExtension] },
        { "right-to-left override", "photo\u202Egpj.exe", SampleFiles.WindowsExecutable, "image/jpeg", [SecurityFlags.DangerousAttachment, SecurityFlags.RtloFilename, SecurityFlags.TypeMismatch] },
        { "isolate control in a name", "report\u2067fdp.js", SampleFiles.Text, "text/plain", [SecurityFlags.DangerousAttachment, SecurityFlags.RtloFilename] },
        { "blocked script extension", "update.vbs", SampleFiles.Text, "text/plain", [SecurityFlags.DangerousAttachment] },
        { "shell script named as text", "readme.txt", SampleFiles.ShellScript, "text/plain", [SecurityFlags.DangerousAttachment, SecurityFlags.TypeMismatch] },
        { "Linux executable without a name", "tool", SampleFiles.LinuxExecutable, "application/octet-stream", [SecurityFlags.DangerousAttachment] },
        { "Mac executable", "app.bin", SampleFiles.MacExecutable, "application/octet-stream", [SecurityFlags.DangerousAttachment] },
        { "disk image", "disk.iso", SampleFiles.Iso, "application/octet-stream", [SecurityFlags.DangerousAttachment] },
        { "disk image named as a photo", "photo.jpg", SampleFiles.Iso, "image/jpeg", [SecurityFlags.DangerousAttachment, SecurityFlags.TypeMismatch] },
        { "raw FAT disk image under a harmless name", "backup.dat", SampleFiles.FatImage, "application/octet-stream", [SecurityFlags.DangerousAttachment] },
        { "PNG that is a JPEG", "photo.png", SampleFiles.Jpeg, "image/png", [SecurityFlags.TypeMismatch] },
        { "PDF declared as an image", "scan", SampleFiles.Pdf, "image/png", [SecurityFlags.TypeMismatch] },
        { "macro-enabled extension", "budget.xlsm", SampleFiles.OfficeDocument("xl", withVbaProject: false), "application/vnd.ms-excel.sheet.macroEnabled.12", [SecurityFlags.MacroDocument] },
        { "VBA project inside a plain xlsx", "budget.xlsx", SampleFiles.OfficeDocument("xl", withVbaProject: true), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", [SecurityFlags.MacroDocument] },
        { "macros in a legacy document", "legacy.doc", SampleFiles.Ole2(withVbaProject: true), "application/msword", [SecurityFlags.MacroDocument] },
        { "executable inside a ZIP", "docs.zip", SampleFiles.Zip(("readme.txt", SampleFiles.Text), ("setup.exe", SampleFiles.WindowsExecutable)), "application/zip", [SecurityFlags.DangerousAttachment] },
        { "executable content under a harmless name in a ZIP", "docs.zip", SampleFiles.Zip(("readme.txt", SampleFiles.WindowsExecutable)), "application/zip", [SecurityFlags.DangerousAttachment] },
        { "double extension inside a ZIP", "docs.zip", SampleFiles.Zip(("invoice.pdf.exe", SampleFiles.Text)), "application/zip", [SecurityFlags.DangerousAttachment, SecurityFlags.DoubleExtension] },
        { "right-to-left override inside a ZIP", "docs.zip", SampleFiles.Zip(("invoice\u202Efdp.txt", SampleFiles.Text)), "application/zip", [SecurityFlags.RtloFilename] },
        { "encrypted ZIP", "secret.zip", SampleFiles.EncryptedZip(), "application/zip", [SecurityFlags.EncryptedArchive] },
        { "RAR with encrypted headers", "secret.rar", SampleFiles.EncryptedRar5(), "application/vnd.rar", [SecurityFlags.EncryptedArchive] },
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Each_attachment_gets_exactly_its_flags(string description, string fileName, byte[] content, string declaredType, string[] expectedFlags)
    {
        var email = Analyzers.Create().Analyze(Analyzers.WithAttachment(fileName, content, declaredType));

        var attachment = Assert.Single(email.Attachments);
        Assert.True(expectedFlags.Order().SequenceEqual(attachment.Flags.Order()), $"{description}: expected [{string.Join(", ", expectedFlags)}], got [{string.Join(", ", attachment.Flags)}]");
        Assert.True(expectedFlags.Order().SequenceEqual(email.SecurityFlags.Order()), $"{description}: message flags [{string.Join(", ", email.SecurityFlags)}]");
        Assert.Equal(content.Length, attachment.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), attachment.Sha256);
    }

    [Theory]
    [InlineData("report.pdf", "application/pdf")]
    [InlineData("setup.exe", "application/vnd.microsoft.portable-executable")]
    [InlineData("tool", "application/x-executable")]
    [InlineData("letter.docx", "application/vnd.openxmlformats-officedocument")]
    [InlineData("photos.zip", "application/zip")]
    [InlineData("legacy.doc", "application/x-ole-storage")]
    [InlineData("disk.iso", "application/x-iso9660-image")]
    [InlineData("photo.png", "image/png")]
    [InlineData("notes.txt", "text/plain")]
    public void Detected_type_comes_from_the_bytes(string fileName, string expected)
    {
        var content = fileName switch
        {
            "report.pdf" => SampleFiles.Pdf,
            "setup.exe" => SampleFiles.WindowsExecutable,
            "tool" => SampleFiles.LinuxExecutable,
            "letter.docx" => SampleFiles.OfficeDocument("word", withVbaProject: false),
            "photos.zip" => SampleFiles.Zip(("a.jpg", SampleFiles.Jpeg)),
            "legacy.doc" => SampleFiles.Ole2(withVbaProject: false),
            "disk.iso" => SampleFiles.Iso,
            "photo.png" => SampleFiles.Png,
            _ => SampleFiles.Text,
        };

        // Named "attachment.bin" so nothing but the bytes can tell.
        var email = Analyzers.Create().Analyze(Analyzers.WithAttachment("attachment.bin", content));

        Assert.Equal(expected, email.Attachments[0].DetectedType);
    }

    [Fact]
    public void An_attachment_over_the_size_limit_is_flagged_and_still_hashed_exactly()
    {
        var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);
        var analyzer = Analyzers.Create(new AnalysisOptions { MaxAttachmentBytes = 1024 * 1024 });

        var attachment = analyzer.Analyze(Analyzers.WithAttachment("data.bin", content)).Attachments[0];

        Assert.Equal([SecurityFlags.OversizedAttachment], attachment.Flags);
        Assert.Equal(content.Length, attachment.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), attachment.Sha256);
    }

    [Fact]
    public void A_zip_bomb_is_looked_into_at_bounded_cost()
    {
        // 200 MB of zeros compresses to a couple of hundred kilobytes; inspection reads 4 KiB of it.
        var zeros = new byte[1024 * 1024];
        using var stream = new MemoryStream();
        using (var archive = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = archive.CreateEntry("zeros.txt", System.IO.Compression.CompressionLevel.SmallestSize).Open();
            for (var i = 0; i < 200; i++)
            {
                entry.Write(zeros);
            }
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var email = Analyzers.Create().Analyze(Analyzers.WithAttachment("bomb.zip", stream.ToArray(), "application/zip"));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Empty(email.Attachments[0].Flags);
        Assert.True(allocated < 64 * 1024 * 1024, $"allocated {allocated / 1024 / 1024} MB");
    }

    [Fact]
    public void An_archive_claiming_more_entries_than_any_real_one_is_not_opened()
    {
        var names = Enumerable.Range(0, 12_000).Select(i => ($"f{i}.exe", Array.Empty<byte>())).ToArray();

        var email = Analyzers.Create().Analyze(Analyzers.WithAttachment("many.zip", SampleFiles.Zip(names), "application/zip"));

        // Opened, its .exe members would have made it dangerous.
        Assert.Equal("application/zip", email.Attachments[0].DetectedType);
        Assert.Empty(email.Attachments[0].Flags);
    }

    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("C:\\Users\\evil\\payload.exe", "payload.exe")]
    [InlineData("photo\u202Egpj.exe", "photogpj.exe")]
    [InlineData("bell\u0007and\u0000null.txt", "bellandnull.txt")]
    [InlineData("   ", "attachment")]
    [InlineData(".hidden", "hidden")]
    public void Names_are_sanitized_for_display_and_storage(string name, string expected) =>
        Assert.Equal(expected, AttachmentNames.Sanitize(name));

    [Fact]
    public void A_very_long_name_is_cut_to_255_characters_keeping_its_extension()
    {
        var sanitized = AttachmentNames.Sanitize(new string('a', 400) + ".pdf");

        Assert.Equal(255, sanitized.Length);
        Assert.EndsWith(".pdf", sanitized);
    }

    [Fact]
    public void Blocked_extensions_can_be_replaced_by_configuration()
    {
        var analyzer = Analyzers.Create(new AnalysisOptions { BlockedAttachmentExtensions = [".pdf"] });

        Assert.Equal([SecurityFlags.DangerousAttachment], analyzer.Analyze(Analyzers.WithAttachment("report.pdf", SampleFiles.Pdf, "application/pdf")).SecurityFlags);
        Assert.Empty(analyzer.Analyze(Analyzers.WithAttachment("update.vbs", Encoding.ASCII.GetBytes("MsgBox 1"), "text/plain")).SecurityFlags);
    }

    [Theory]
    [InlineData("invoice.pdf.exe", new[] { SecurityFlags.DangerousAttachment, SecurityFlags.DoubleExtension })]
    [InlineData("minutes.txt", new string[0])]
    public void A_forwarded_message_is_judged_by_the_attachments_it_carries(string carriedName, string[] expectedFlags)
    {
        var reported = new MimeKit.BodyBuilder { TextBody = "Please pay the attached invoice." };
        reported.Attachments.Add(carriedName, carriedName.EndsWith(".exe", StringComparison.Ordinal) ? SampleFiles.WindowsExecutable : SampleFiles.Text);
        var inner = new MimeKit.MimeMessage { Subject = "Invoice", Body = reported.ToMessageBody() };
        inner.From.Add(new MimeKit.MailboxAddress("Billing", "billing@evil.test"));
        using var innerBytes = new MemoryStream();
        inner.WriteTo(innerBytes, TestContext.Current.CancellationToken);

        var email = Analyzers.Create().Analyze(Analyzers.WithAttachment("reported.eml", innerBytes.ToArray(), "message/rfc822"));

        var attachment = Assert.Single(email.Attachments);
        Assert.Equal("message/rfc822", attachment.DetectedType);
        Assert.Equal(expectedFlags.Order(), attachment.Flags.Order());
        Assert.Equal(expectedFlags.Order(), email.SecurityFlags.Order());
    }

    [Fact]
    public void A_message_forwarded_inline_as_message_rfc822_is_judged_too()
    {
        var reported = new MimeKit.BodyBuilder { TextBody = "Please run the update." };
        reported.Attachments.Add("update.js", SampleFiles.Text);
        var inner = new MimeKit.MimeMessage { Subject = "Update", Body = reported.ToMessageBody() };
        var outer = new MimeKit.MimeMessage
        {
            Subject = "Fwd: Update",
            Body = new MimeKit.Multipart("mixed") { new MimeKit.TextPart("plain") { Text = "Is this real?" }, new MimeKit.MessagePart { Message = inner } },
        };
        outer.From.Add(new MimeKit.MailboxAddress("Colleague", "colleague@example.com"));

        var email = Analyzers.Create().Analyze(outer);

        var attachment = Assert.Single(email.Attachments);
        Assert.Equal("message/rfc822", attachment.DetectedType);
        Assert.Equal([SecurityFlags.DangerousAttachment], attachment.Flags);
    }

    [Fact]
    public void A_forwarded_phishing_message_answers_for_its_own_sender_and_links()
    {
        var reported = new MimeKit.BodyBuilder
        {
            HtmlBody = "<p>Your account is locked.</p><a href=\"https://login.evil.test/reset\">https://bank.example/reset</a><script>steal()</script>",
        };
        var inner = new MimeKit.MimeMessage { Subject = "Account locked", Body = reported.ToMessageBody() };
        inner.From.Add(new MimeKit.MailboxAddress("security@bank.example", "alerts@evil.test"));
        var outer = new MimeKit.BodyBuilder { TextBody = "Is this real?" };
        outer.Attachments.Add(new MimeKit.MessagePart { Message = inner });
        var forwarded = new MimeKit.MimeMessage { Subject = "Fwd: Account locked", Body = outer.ToMessageBody() };
        forwarded.From.Add(new MimeKit.MailboxAddress("Colleague", "colleague@example.com"));

        var email = Analyzers.Create().Analyze(forwarded);

        var attachment = Assert.Single(email.Attachments);
        Assert.Equal(
            new[] { SecurityFlags.ScriptRemoved, SecurityFlags.SenderSpoofing, SecurityFlags.SuspiciousLink }.Order(),
            attachment.Flags.Order());
        Assert.Superset(attachment.Flags.ToHashSet(), email.SecurityFlags.ToHashSet());
    }
}
