namespace EmailMonitor.Tests.Support;

/// <summary>
/// The far end of a server's WebSocket in memory: keeps each write it is given as a write of its
/// own (or, <paramref name="stalled"/>, takes none: every write waits until the stream is
/// disposed), refuses writes once disposed, and sends <paramref name="incoming"/> (nothing by
/// default), then nothing more until it is disposed.
/// </summary>
internal sealed class RecordingStream(byte[]? incoming = null, bool stalled = false) : Stream
{
    private int _incomingRead;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<byte[]> _writes = [];

    /// <summary>The writes so far, each as it came.</summary>
    public IReadOnlyList<byte[]> Writes
    {
        get
        {
            lock (_writes)
            {
                return [.. _writes];
            }
        }
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (incoming is not null && _incomingRead < incoming.Length)
        {
            var count = Math.Min(buffer.Length, incoming.Length - _incomingRead);
            incoming.AsMemory(_incomingRead, count).CopyTo(buffer);
            _incomingRead += count;
            return count;
        }

        await _closed.Task.WaitAsync(cancellationToken);
        throw new ObjectDisposedException(nameof(RecordingStream));
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (stalled)
        {
            await _closed.Task.WaitAsync(cancellationToken);
        }

        ObjectDisposedException.ThrowIf(_closed.Task.IsCompleted, this);
        lock (_writes)
        {
            _writes.Add(buffer.ToArray());
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        _closed.TrySetResult();
        base.Dispose(disposing);
    }
}
