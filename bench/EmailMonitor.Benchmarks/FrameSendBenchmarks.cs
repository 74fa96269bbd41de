using System.Net.WebSockets;
using BenchmarkDotNet.Attributes;

namespace EmailMonitor.Benchmarks;

/// <summary>
/// One 500-byte frame through the server's WebSocket into a stream that takes it at once: the
/// per-frame, per-client cost of a send, with and without a cancellation token. A token that can
/// be cancelled sends the socket down its slow path (its lock awaited, the token registered and
/// removed again).
/// </summary>
[MemoryDiagnoser]
public class FrameSendBenchmarks
{
    private readonly byte[] _frame = new byte[500];
    private readonly WebSocket _socket = WebSocket.CreateFromStream(new DiscardStream(), new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
    private readonly CancellationTokenSource _connection = new();

    [Benchmark(Baseline = true, Description = "no token (ours)")]
    public ValueTask WithoutToken() => _socket.SendAsync(_frame.AsMemory(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    [Benchmark(Description = "the connection's token, as a Task (before)")]
    public Task WithConnectionToken() => _socket.SendAsync(new ArraySegment<byte>(_frame), WebSocketMessageType.Text, endOfMessage: true, _connection.Token);

    [GlobalCleanup]
    public void Cleanup()
    {
        _socket.Dispose();
        _connection.Dispose();
    }

    private sealed class DiscardStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public override void Write(byte[] buffer, int offset, int count)
        {
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
