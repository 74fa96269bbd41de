using Microsoft.Extensions.Options;
using MimeKit;

namespace EmailMonitor.Analysis;

/// <summary>
/// Judges one attachment from its decoded bytes, never trusting the sender's name or declared
/// type: what it really is, whether it can run, hides its extension, carries macros, is encrypted
/// or too large, and what one level of an archive holds.
/// </summary>
internal sealed class AttachmentInspector(IOptions<AnalysisOptions> options)
{
    // Office formats whose extension alone says "may hold macros".
    private static readonly HashSet<string> MacroEnabledExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        "docm", "dotm", "xlsm", "xltm", "xlam", "xlsb", "pptm", "potm", "ppsm", "ppam", "sldm",
    };

    private readonly BlockedExtensions _blocked = new(options.Value.BlockedAttachmentExtensions);
    private readonly long _maxBytes = options.Value.MaxAttachmentBytes;

    public AttachmentInfo Inspect(MimeEntity entity)
    {
        var name = entity.ContentDisposition?.FileName ?? entity.ContentType.Name ?? string.Empty;
        var declared = entity.ContentType.MimeType;
        using var content = new AttachmentContent(_maxBytes);
        switch (entity)
        {
            case MimePart part:
                part.Content?.DecodeTo(content);
                break;
            case MessagePart attached:
                attached.Message?.WriteTo(content);
                break;
        }

        var kind = entity is MessagePart ? FileKind.Text : FileSignatures.Detect(content.Head);
        var archive = content.OpenSpool() is { } spool ? InspectArchive(spool, kind, name) : ArchiveFindings.None;
        if (archive.IsOfficeDocument)
        {
            kind = FileKind.OfficeOpenXml;
        }

        var extension = AttachmentNames.Extension(name);
        var flags = new List<string>();
        Add(flags, SecurityFlags.DangerousAttachment,
            _blocked.Contains(extension) || FileSignatures.IsExecutable(kind) || kind == FileKind.DiskImage || archive.DangerousMember);
        Add(flags, SecurityFlags.DoubleExtension, AttachmentNames.HasDoubleExtension(name, IsExecutableExtension) || archive.DoubleExtensionMember);
        Add(flags, SecurityFlags.RtloFilename, AttachmentNames.HasBidiControl(name) || archive.BidiMember);
        Add(flags, SecurityFlags.TypeMismatch, entity is not MessagePart && TypeExpectations.Mismatch(extension, declared, kind));
        Add(flags, SecurityFlags.MacroDocument,
            MacroEnabledExtensions.Contains(extension) || (archive.IsOfficeDocument && archive.HasVbaProject) || (kind == FileKind.Ole2 && content.VbaProjectSeen));
        Add(flags, SecurityFlags.EncryptedArchive, archive.Encrypted || RarSignatures.HeadersEncrypted(content.Head));
        Add(flags, SecurityFlags.OversizedAttachment, content.Oversized);

        return new AttachmentInfo
        {
            Filename = AttachmentNames.Sanitize(name),
            ContentType = declared,
            DetectedType = entity is MessagePart ? "message/rfc822" : FileSignatures.MimeType(kind),
            Size = content.Size,
            Sha256 = content.Sha256(),
            Flags = flags,
        };
    }

    private ArchiveFindings InspectArchive(Stream spool, FileKind kind, string name) => kind switch
    {
        FileKind.Zip or FileKind.OfficeOpenXml => ZipInspector.Inspect(spool, _blocked),
        FileKind.Rar or FileKind.SevenZip => PackedArchiveInspector.Inspect(spool, kind, _blocked),
        FileKind.Gzip => GzipInspector.Inspect(spool, name, _blocked),
        _ => ArchiveFindings.None,
    };

    private bool IsExecutableExtension(string extension) => _blocked.Contains(extension);

    private static void Add(List<string> flags, string flag, bool condition)
    {
        if (condition)
        {
            flags.Add(flag);
        }
    }
}
