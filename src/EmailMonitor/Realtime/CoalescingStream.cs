using System.Buffers;

namespace EmailMonitor.Realtime;

/// <summary>
/// The connection's stream under its WebSocket, able to hold back what is written while a sender
/// drains several queued frames, so the transport gets one write for them instead of one each.
/// Every write to Kestrel's output flushes it, waking the transport and taking the pipe's lock: with
/// a batch of fifty emails for a thousand clients that was fifty thousand flushes
/// (docs/benchmarks.md, the profile under load).
/// </summary>
/// <remarks>
/// The socket writes to it from more than one place (the connection's sender, pongs from the
/// receive loop, keep-alive pings, its own close after a protocol error), one at a time under its
/// own lock; a write that comes while frames are held joins them and leaves with them. At most
/// <see cref="HeldBytesLimit"/> bytes are held: beyond that they are written on, so a client that
/// stops reading still fills the queue behind them and is cut off, at most that much later than
/// the queue's own limits say.
/// </remarks>
internal sealed class CoalescingStream(Stream inner) : Stream
{
    public const int HeldBytesLimit = 16 * 1024;

    private readonly SemaphoreSlim _writing = new(1, 1);
    private byte[]? _held;
    private int _heldBytes;
    private bool _holding;

    /// <summary>Holds back what is written from now until <see cref="ReleaseAsync"/>.</summary>
    public void Hold() => Volatile.Write(ref _holding, true);

    /// <summary>Writes on whatever was held, and every write after it at once.</summary>
    public async ValueTask ReleaseAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            Volatile.Write(ref _holding, false);
            await WriteHeldAsync(cancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            if (!Volatile.Read(ref _holding))
            {
                await inner.WriteAsync(buffer, cancellationToken);
                return;
            }

            if (_heldBytes + buffer.Length > HeldBytesLimit)
            {
                await WriteHeldAsync(cancellationToken);
                if (buffer.Length > HeldBytesLimit)
                {
                    await inner.WriteAsync(buffer, cancellationToken);
                    return;
                }
            }

            _held ??= ArrayPool<byte>.Shared.Rent(HeldBytesLimit);
            buffer.CopyTo(_held.AsMemory(_heldBytes));
            _heldBytes += buffer.Length;
        }
        finally
        {
            _writing.Release();
        }
    }

    private async ValueTask WriteHeldAsync(CancellationToken cancellationToken)
    {
        var held = _held;
        var count = _heldBytes;
        _held = null;
        _heldBytes = 0;
        if (held is null)
        {
            return;
        }

        try
        {
            if (count > 0)
            {
                await inner.WriteAsync(held.AsMemory(0, count), cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(held);
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        // Under the same gate as the writes: two flushes of Kestrel's output at once are refused.
        await _writing.WaitAsync(cancellationToken);
        try
        {
            if (!Volatile.Read(ref _holding))
            {
                await inner.FlushAsync(cancellationToken);
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    public override bool CanRead => inner.CanRead;

    public override bool CanWrite => inner.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    // The socket reads and writes asynchronously only; Kestrel refuses synchronous I/O anyway.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush() => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        // The socket disposes its stream when aborted, possibly from another thread while a write
        // holds the buffer; the buffer is left to the write (or to the collector), never returned
        // to the pool under it.
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
