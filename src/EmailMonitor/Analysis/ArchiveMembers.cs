namespace EmailMonitor.Analysis;

/// <summary>
/// What the members of one archive add up to, whatever the archive's format: each member is
/// judged by its name (blocked extension, double extension, bidi controls) and, where its first
/// bytes could be read, by what it really is.
/// </summary>
internal sealed class ArchiveMembers(BlockedExtensions blocked)
{
    /// <summary>Members looked at in one archive; the rest are not, whatever the archive claims.</summary>
    public const int MaxEntries = 1000;

    /// <summary>Decompressed bytes read from the start of each member, enough for any signature.</summary>
    public const int MemberHeadBytes = 4096;

    private bool _office;
    private bool _vba;
    private bool _encrypted;
    private bool _dangerous;
    private bool _doubleExtension;
    private bool _bidi;

    public bool Dangerous => _dangerous;

    public void Named(string path)
    {
        var name = AttachmentNames.Leaf(path);
        _office |= path.Equals("[Content_Types].xml", StringComparison.OrdinalIgnoreCase);
        _vba |= name.Equals("vbaProject.bin", StringComparison.OrdinalIgnoreCase);
        _bidi |= AttachmentNames.HasBidiControl(path);
        _doubleExtension |= AttachmentNames.HasDoubleExtension(name, blocked.Contains);
        _dangerous |= blocked.Contains(AttachmentNames.Extension(name));
    }

    public void Began(ReadOnlySpan<byte> head)
    {
        var kind = FileSignatures.Detect(head);
        _dangerous |= FileSignatures.IsExecutable(kind) || kind == FileKind.DiskImage;
    }

    public void Encrypted() => _encrypted = true;

    public ArchiveFindings Findings() => new(_office, _vba, _encrypted, _dangerous, _doubleExtension, _bidi);

    /// <summary>Reads up to <see cref="MemberHeadBytes"/> from the start of a member.</summary>
    public static ReadOnlySpan<byte> ReadHead(Stream member, byte[] buffer) =>
        buffer.AsSpan(0, member.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false));
}
