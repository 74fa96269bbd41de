using System.Text;
using EmailMonitor.Pipeline;

namespace EmailMonitor.Tests.Pipeline;

public sealed class RawContentTests
{
    [Fact]
    public async Task A_large_message_goes_to_a_temporary_file_that_is_never_left_behind()
    {
        var bytes = new byte[3 * 1024 * 1024];
        new Random(1).NextBytes(bytes);
        var before = Directory.GetFiles(Path.GetTempPath(), "email-monitor-*.eml").Length;

        using (var content = await RawContent.CopyFromAsync(new MemoryStream(bytes), bytes.Length, TestContext.Current.CancellationToken))
        {
            Assert.IsType<FileStream>(content.Rewind());
            Assert.Equal(bytes.Length, content.Length);
            using var copy = new MemoryStream();
            await content.Rewind().CopyToAsync(copy, TestContext.Current.CancellationToken);
            Assert.Equal(bytes, copy.ToArray());
            // Already unlinked while open: nothing to clean up even if the process dies now.
            Assert.Equal(before, Directory.GetFiles(Path.GetTempPath(), "email-monitor-*.eml").Length);
        }
    }

    [Fact]
    public async Task A_small_message_stays_in_memory()
    {
        using var content = await RawContent.CopyFromAsync(new MemoryStream(new byte[1000]), 1000, TestContext.Current.CancellationToken);

        Assert.IsType<MemoryStream>(content.Rewind());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65_530)]
    [InlineData(65_536)]
    [InlineData(200_000)]
    public void Contains_finds_a_pattern_wherever_it_lies_even_across_reads(int offset)
    {
        var pattern = Encoding.ASCII.GetBytes("--boundary--");
        var bytes = new byte[offset + pattern.Length + 10];
        pattern.CopyTo(bytes, offset);
        using var content = RawContent.FromBytes(bytes);

        Assert.True(content.Contains(pattern));
        Assert.False(content.Contains(Encoding.ASCII.GetBytes("--absent--")));
    }
}
