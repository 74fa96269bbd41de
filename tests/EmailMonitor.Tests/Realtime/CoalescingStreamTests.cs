using EmailMonitor.Realtime;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Realtime;

public sealed class CoalescingStreamTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_write_goes_on_at_once_while_nothing_is_held()
    {
        using var recording = new RecordingStream();
        using var stream = new CoalescingStream(recording);

        await stream.WriteAsync(Bytes(1, 3), Cancel);
        await stream.WriteAsync(Bytes(2, 5), Cancel);

        Assert.Equal([Bytes(1, 3), Bytes(2, 5)], recording.Writes);
    }

    [Fact]
    public async Task Held_writes_go_on_as_one_write_in_their_order_when_released()
    {
        using var recording = new RecordingStream();
        using var stream = new CoalescingStream(recording);

        stream.Hold();
        await stream.WriteAsync(Bytes(1, 3), Cancel);
        await stream.WriteAsync(Bytes(2, 5), Cancel);
        await stream.WriteAsync(Bytes(3, 1), Cancel);
        Assert.Empty(recording.Writes);

        await stream.ReleaseAsync(Cancel);
        Assert.Equal([[.. Bytes(1, 3), .. Bytes(2, 5), .. Bytes(3, 1)]], recording.Writes);

        await stream.WriteAsync(Bytes(4, 2), Cancel);
        Assert.Equal(2, recording.Writes.Count);
        Assert.Equal(Bytes(4, 2), recording.Writes[1]);
    }

    [Fact]
    public async Task A_release_with_nothing_held_writes_nothing()
    {
        using var recording = new RecordingStream();
        using var stream = new CoalescingStream(recording);

        stream.Hold();
        await stream.ReleaseAsync(Cancel);

        Assert.Empty(recording.Writes);
    }

    [Fact]
    public async Task No_more_than_the_limit_is_held_and_the_order_stays()
    {
        using var recording = new RecordingStream();
        using var stream = new CoalescingStream(recording);
        var quarter = CoalescingStream.HeldBytesLimit / 4;

        stream.Hold();
        for (byte i = 1; i <= 5; i++)
        {
            await stream.WriteAsync(Bytes(i, quarter), Cancel);
        }

        // Four quarters fill the limit; the fifth sends them on and waits for the release.
        Assert.Equal([[.. Bytes(1, quarter), .. Bytes(2, quarter), .. Bytes(3, quarter), .. Bytes(4, quarter)]], recording.Writes);

        // Larger than the limit: what is held goes first, then it, unheld.
        await stream.WriteAsync(Bytes(6, CoalescingStream.HeldBytesLimit + 1), Cancel);
        Assert.Equal(3, recording.Writes.Count);
        Assert.Equal(Bytes(5, quarter), recording.Writes[1]);
        Assert.Equal(Bytes(6, CoalescingStream.HeldBytesLimit + 1), recording.Writes[2]);

        await stream.ReleaseAsync(Cancel);
        Assert.Equal(3, recording.Writes.Count);
        Assert.Equal(5 * quarter + CoalescingStream.HeldBytesLimit + 1, recording.Writes.Sum(write => write.Length));
    }

    [Fact]
    public async Task Reading_passes_through()
    {
        using var source = new MemoryStream([1, 2, 3]);
        using var stream = new CoalescingStream(source);
        var buffer = new byte[8];

        Assert.Equal(3, await stream.ReadAsync(buffer, Cancel));
        Assert.Equal(new byte[] { 1, 2, 3 }, buffer[..3]);
    }

    private static byte[] Bytes(byte value, int count) => Enumerable.Repeat(value, count).ToArray();
}
