using EmailMonitor.Configuration;

namespace EmailMonitor.Tests.Configuration;

public sealed class DotEnvFileTests
{
    [Fact]
    public void Reads_plain_exported_quoted_and_commented_values()
    {
        var result = DotEnvFile.Parse("""
            # a comment
            PLAIN=value
            export EXPORTED=yes
            DOUBLE="two words # not a comment"
            SINGLE='literal \n stays'
            ESCAPED="line\nbreak and \"quote\""
            TRAILING=value # comment
            EMPTY=
              INDENTED = spaced
            """, ".env");

        Assert.Empty(result.Problems);
        Assert.Equal("value", result.Values["PLAIN"]);
        Assert.Equal("yes", result.Values["EXPORTED"]);
        Assert.Equal("two words # not a comment", result.Values["DOUBLE"]);
        Assert.Equal("literal \\n stays", result.Values["SINGLE"]);
        Assert.Equal("line\nbreak and \"quote\"", result.Values["ESCAPED"]);
        Assert.Equal("value", result.Values["TRAILING"]);
        Assert.Equal(string.Empty, result.Values["EMPTY"]);
        Assert.Equal("spaced", result.Values["INDENTED"]);
    }

    [Theory]
    [InlineData("NO_EQUALS_SIGN", "line 1: expected KEY=value")]
    [InlineData("=value", "line 1: expected KEY=value")]
    [InlineData("1ST=value", "line 1: expected KEY=value")]
    [InlineData("BAD-KEY=value", "line 1: expected KEY=value")]
    [InlineData("OPEN=\"never closed", "line 1: OPEN: unterminated quoted value")]
    [InlineData("AFTER=\"quoted\" junk", "line 1: AFTER: unexpected text after the closing quote")]
    public void Malformed_lines_are_reported_with_their_line_number_and_skipped(string line, string problem)
    {
        var result = DotEnvFile.Parse(line + "\nGOOD=1", "settings.env");

        Assert.Equal(["settings.env " + problem], result.Problems);
        Assert.Equal("1", result.Values["GOOD"]);
    }

    [Fact]
    public void Windows_line_endings_are_accepted()
    {
        var result = DotEnvFile.Parse("A=1\r\nB=2\r\n", ".env");

        Assert.Equal("1", result.Values["A"]);
        Assert.Equal("2", result.Values["B"]);
    }
}
