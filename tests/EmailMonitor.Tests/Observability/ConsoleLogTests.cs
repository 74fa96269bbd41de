using System.Globalization;
using EmailMonitor.Observability;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog.Parsing;

namespace EmailMonitor.Tests.Observability;

/// <summary>What reaches a terminal: text from clients and servers cannot drive it or forge lines.</summary>
public sealed class ConsoleLogTests
{
    private static readonly MessageTemplateTextFormatter Template = new(ObservabilityExtensions.ConsoleTemplate, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("\u001b[2J\u001b[31mred", "\\u001B[2J\\u001B[31mred")]
    [InlineData("ok\r\n00:00:00 INF Auth: admin logged in", "ok\\u000D\\u000A00:00:00 INF Auth: admin logged in")]
    [InlineData("bell\u0007 and C1 \u009b", "bell\\u0007 and C1 \\u009B")]
    public void Control_characters_in_logged_values_are_written_escaped(string value, string expected)
    {
        var line = Render(new ControlCharacterEscaping(Template), value);

        Assert.Contains($"failed: {expected}", line);
        // One line: its only control character is the newline that ends it.
        Assert.Equal(Environment.NewLine, line[^Environment.NewLine.Length..]);
        Assert.DoesNotContain(line[..^Environment.NewLine.Length], char.IsControl);
    }

    [Fact]
    public void Bidirectional_overrides_are_escaped_so_a_name_reads_as_it_is()
    {
        Assert.Contains("failed: invoice\\u202Efdp.exe", Render(new ControlCharacterEscaping(Template), "invoice\u202Efdp.exe"));
    }

    [Fact]
    public void An_exception_keeps_its_line_breaks_and_loses_every_other_control_character()
    {
        var line = Render(new ControlCharacterEscaping(Template), "x", new IOException("server said \u001b[2Jhello\nsecond line"));

        Assert.Contains("server said \\u001B[2Jhello\nsecond line", line);
        Assert.DoesNotContain("\u001b", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_escaping_the_same_value_would_forge_a_line()
    {
        var line = Render(Template, "ok\n00:00:00 INF forged");

        Assert.Equal(2, line.Count(c => c == '\n'));
    }

    [Fact]
    public void Plain_values_are_written_as_they_are()
    {
        Assert.Contains("failed: imap.example.com refused the login", Render(new ControlCharacterEscaping(Template), "imap.example.com refused the login"));
    }

    private static string Render(Serilog.Formatting.ITextFormatter formatter, string value, Exception? exception = null)
    {
        var template = new MessageTemplateParser().Parse("Session failed: {Error}");
        var logEvent = new LogEvent(
            DateTimeOffset.UtcNow,
            LogEventLevel.Warning,
            exception,
            template,
            [new LogEventProperty("Error", new ScalarValue(value)), new LogEventProperty("SourceContext", new ScalarValue("Mail"))]);
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        formatter.Format(logEvent, output);
        return output.ToString();
    }
}
