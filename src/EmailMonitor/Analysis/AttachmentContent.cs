using System.Security.Cryptography;

namespace EmailMonitor.Analysis;

/// <summary>
/// Where an attachment is decoded to: it hashes and counts every byte, keeps the head for type
/// detection, scans OLE2 files for a VBA project as they stream past, and keeps a seekable copy
/// of archives (in memory while small, then in a temporary file) for a look inside. Nothing
/// beyond the head is kept once the size passes the limit, so an attachment is never held whole.
/// </summary>
internal sealed class AttachmentContent : Stream
{
    private const int InMemorySpoolBytes = 4 * 1024 * 1024;

    // The OLE2 directory names a VBA project's storage "_VBA_PROJECT" (UTF-16LE), in Word and Excel alike.
    private static readonly byte[] VbaProjectName = System.Text.Encoding.Unicode.GetBytes("_VBA_PROJECT");

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _head = new byte[FileSignatures.HeadBytes];
    private readonly long _maxBytes;
    private readonly byte[] _scanCarry = new byte[VbaProjectName.Length - 1];
    private int _headLength;
    private int _scanCarryLength;
    private Stream? _spool;
    private bool? _isArchive;
    private bool? _isOle2;

    public AttachmentContent(long maxBytes)
    {
        _maxBytes = maxBytes;
    }

    public long Size { get; private set; }

    public ReadOnlySpan<byte> Head => _head.AsSpan(0, _headLength);

    public bool Oversized => Size > _maxBytes;

    public bool VbaProjectSeen { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => Size;

    public override long Position
    {
        get => Size;
        set => throw new NotSupportedException();
    }

    public string Sha256() => Convert.ToHexStringLower(_hash.GetCurrentHash());

    /// <summary>The whole content, seekable from the start, when it is an archive within the size limit; else null.</summary>
    public Stream? OpenSpool()
    {
        if (_spool is null || Oversized)
        {
            return null;
        }

        _spool.Position = 0;
        return _spool;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hash.AppendData(buffer);
        if (_headLength < _head.Length)
        {
            var take = Math.Min(buffer.Length, _head.Length - _headLength);
            buffer[..take].CopyTo(_head.AsSpan(_headLength));
            _headLength += take;
        }

        Size += buffer.Length;
        // Every archive signature is told apart within its first eight bytes.
        _isArchive ??= _headLength >= 8 ? FileSignatures.IsArchive(FileSignatures.Detect(Head[..8])) : null;
        _isOle2 ??= _headLength >= 8 ? Head[..8].SequenceEqual(new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 }) : null;

        if (_isArchive == true)
        {
            Spool(buffer);
        }

        if (_isOle2 == true && !VbaProjectSeen && !Oversized)
        {
            ScanForVbaProject(buffer);
        }
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            _spool?.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Spool(ReadOnlySpan<byte> buffer)
    {
        if (Oversized)
        {
            _spool?.Dispose();
            _spool = null;
            return;
        }

        if (_spool is null)
        {
            // The head may already hold bytes written before the type was known.
            _spool = new MemoryStream();
            _spool.Write(_head.AsSpan(0, (int)Math.Min(_headLength, Size - buffer.Length)));
        }
        else if (_spool is MemoryStream memory && memory.Length + buffer.Length > InMemorySpoolBytes)
        {
            var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose);
            memory.Position = 0;
            memory.CopyTo(file);
            memory.Dispose();
            _spool = file;
        }

        _spool.Write(buffer);
    }

    private void ScanForVbaProject(ReadOnlySpan<byte> buffer)
    {
        // A name split across two writes is found in the carried tail joined with this write's start.
        var fromBuffer = Math.Min(buffer.Length, _scanCarry.Length);
        Span<byte> boundary = stackalloc byte[_scanCarry.Length * 2];
        _scanCarry.AsSpan(0, _scanCarryLength).CopyTo(boundary);
        buffer[..fromBuffer].CopyTo(boundary[_scanCarryLength..]);
        var joined = boundary[..(_scanCarryLength + fromBuffer)];
        VbaProjectSeen = joined.IndexOf(VbaProjectName) >= 0 || buffer.IndexOf(VbaProjectName) >= 0;

        // Carry the last bytes seen (of the joined span when this write was shorter than the name).
        var tail = buffer.Length >= _scanCarry.Length ? buffer[^_scanCarry.Length..] : joined[^Math.Min(_scanCarry.Length, joined.Length)..];
        tail.CopyTo(_scanCarry);
        _scanCarryLength = tail.Length;
    }
}
