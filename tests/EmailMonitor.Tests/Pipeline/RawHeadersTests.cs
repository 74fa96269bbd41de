using System.Text;
using EmailMonitor.Pipeline;

namespace EmailMonitor.Tests.Pipeline;

public sealed class RawHeadersTests
{
    [Theory]
    [InlineData("Subject: a\r\nFrom: b@example.com\r\n\r\nbody\r\n\r\nmore", "Subject: a\r\nFrom: b@example.com\r\n")]
    [InlineData("Subject: a\nFrom: b@example.com\n\nbody", "Subject: a\nFrom: b@example.com\n")]
    [InlineData("Subject: a\r\n folded\r\n\r\n", "Subject: a\r\n folded\r\n")]
    [InlineData("Subject: only headers, no body", "Subject: only headers, no body")]
    [InlineData("\r\nbody without headers", "")]
    [InlineData("", "")]
    public void The_header_block_ends_at_the_first_empty_line(string message, string headers)
    {
        using var content = RawContent.FromBytes(Encoding.UTF8.GetBytes(message));
        Assert.Equal(headers, RawHeaders.Read(content));
    }

    [Fact]
    public void A_header_block_past_the_limit_is_cut_and_bytes_that_are_not_utf8_and_nul_become_replacement_characters()
    {
        var bytes = Encoding.ASCII.GetBytes("X-Junk: ").Concat(Enumerable.Repeat((byte)'a', RawHeaders.MaxBytes * 2)).ToArray();
        using var huge = RawContent.FromBytes(bytes);
        using var latin1 = RawContent.FromBytes([.. "Subject: caf"u8, 0xE9, 0x00, .. "\r\n\r\nx"u8]);

        Assert.Equal(RawHeaders.MaxBytes, RawHeaders.Read(huge).Length);
        Assert.Equal("Subject: caf\uFFFD\uFFFD\r\n", RawHeaders.Read(latin1));
    }
}
