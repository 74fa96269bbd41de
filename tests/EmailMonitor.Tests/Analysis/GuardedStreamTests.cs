using EmailMonitor.Analysis;

namespace EmailMonitor.Tests.Analysis;

public sealed class GuardedStreamTests
{
    [Fact]
    public void Reads_pass_through_until_the_byte_budget_is_spent_and_then_fail()
    {
        using var guarded = new GuardedStream(new MemoryStream(new byte[10_000]), maxBytes: 4096, maxTime: TimeSpan.FromMinutes(1));
        var buffer = new byte[1024];

        var total = 0;
        for (var i = 0; i < 5; i++)
        {
            total += guarded.Read(buffer);
        }

        Assert.Equal(5 * 1024, total);
        Assert.Throws<InvalidDataException>(() => guarded.Read(buffer));
        Assert.Throws<InvalidDataException>(() => guarded.ReadByte());
    }

    [Fact]
    public void A_parser_that_keeps_reading_is_stopped_once_its_time_is_up()
    {
        using var guarded = new GuardedStream(new EndlessStream(), maxBytes: long.MaxValue, maxTime: TimeSpan.FromMilliseconds(50));
        var buffer = new byte[64];

        Assert.Throws<InvalidDataException>(() =>
        {
            // Like a parser stuck in a loop: it reads nothing, and asks again.
            while (guarded.Read(buffer) >= 0)
            {
            }
        });
    }

    private sealed class EndlessStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => 0;

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
