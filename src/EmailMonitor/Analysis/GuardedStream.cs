using System.Diagnostics;

namespace EmailMonitor.Analysis;

/// <summary>
/// A read-only view of an archive that a parser may read only so much of, and only for so long.
/// Archive parsers have had loops that never end and decoders that expand a few bytes without
/// limit; past either budget every read fails, which ends the parser's work with an exception.
/// </summary>
internal sealed class GuardedStream(Stream inner, long maxBytes, TimeSpan maxTime, bool ownsInner = false) : Stream
{
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_read > maxBytes || Stopwatch.GetElapsedTime(_startedAt) > maxTime)
        {
            throw new InvalidDataException("The archive costs more to read than any real attachment does.");
        }

        var read = inner.Read(buffer);
        _read += read;
        return read;
    }

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && ownsInner)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
