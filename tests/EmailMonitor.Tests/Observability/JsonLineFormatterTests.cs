using System.Globalization;
using System.Text.Json;
using EmailMonitor.Observability;
using Serilog.Events;
using Serilog.Parsing;
using Serilog.Templates;

namespace EmailMonitor.Tests.Observability;

/// <summary>
/// The log lines are written by hand since the service stopped using Serilog.Expressions; these
/// tests hold them to what the expression templates wrote before, line for line, for events of
/// every shape and for hostile text in each place a value can appear. One difference is meant:
/// the Unicode line breaks the templates left as they were are escaped, so that no reader splits a line.
/// </summary>
public sealed class JsonLineFormatterTests
{
    // The templates as they were in ObservabilityExtensions.
    private static readonly ExpressionTemplate ApplicationTemplate = new(
        "{ {timestamp: UtcDateTime(@t), level: @l, category: SourceContext, event_id: EventId.Id, message: @m, exception: @x, ..rest()} }\n",
        CultureInfo.InvariantCulture);

    private static readonly ExpressionTemplate SecurityTemplate = new(
        "{ {timestamp: UtcDateTime(@t), event: EventId.Name, ip: Ip, username: Username, reason: Reason, level: @l, message: @m, ..rest()} }\n",
        CultureInfo.InvariantCulture);

    private const string Hostile = "quote \" backslash \\ newline \n return \r tab \t escape \u001b nul \0 bell \u0007 del \u007f line separator \u2028 paragraph separator \u2029 next line \u0085 bidi \u202e <script>&' é 😀";

    public static TheoryData<string> Cases => [.. Events.Keys];

    private static readonly Dictionary<string, LogEvent> Events = new()
    {
        ["information with a category and an event id"] = Event(
            LogEventLevel.Information,
            "Database ready: {Engine} at {Description}, schema version {Version}",
            ("SourceContext", new ScalarValue("EmailMonitor.Storage")),
            ("EventId", EventId(3001, "DatabaseReady")),
            ("Engine", new ScalarValue("sqlite")),
            ("Description", new ScalarValue("/data/email_monitor.db")),
            ("Version", new ScalarValue(12)),
            ("instance", new ScalarValue("node-7"))),
        ["an event id without a name"] = Event(
            LogEventLevel.Debug,
            "Native heap trimmed after {CompiledMethods} compiled methods, in {Milliseconds:F1} ms",
            ("SourceContext", new ScalarValue("EmailMonitor.Memory.NativeHeapTrimmer")),
            ("EventId", EventId(14001, null)),
            ("CompiledMethods", new ScalarValue(4452L)),
            ("Milliseconds", new ScalarValue(2.0536))),
        ["no category, no event id, no properties"] = Event(LogEventLevel.Warning, "Something plain"),
        ["every kind of scalar"] = Event(
            LogEventLevel.Error,
            "{Text} {Number} {Fraction} {Decimal} {Flag} {Nothing} {When} {Date} {Id} {Span} {Level} {Character} {Big} {Uri}",
            ("Text", new ScalarValue("text")),
            ("Number", new ScalarValue(-42)),
            ("Fraction", new ScalarValue(0.1)),
            ("Decimal", new ScalarValue(12.50m)),
            ("Flag", new ScalarValue(true)),
            ("Nothing", new ScalarValue(null)),
            ("When", new ScalarValue(new DateTimeOffset(2026, 12, 3, 4, 5, 6, 789, TimeSpan.FromHours(2)))),
            ("Date", new ScalarValue(new DateTime(2026, 12, 3, 4, 5, 6, DateTimeKind.Utc))),
            ("Id", new ScalarValue(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"))),
            ("Span", new ScalarValue(TimeSpan.FromMilliseconds(1234.5))),
            ("Level", new ScalarValue(DayOfWeek.Friday)),
            ("Character", new ScalarValue('x')),
            ("Big", new ScalarValue(ulong.MaxValue)),
            ("Uri", new ScalarValue(new Uri("imaps://mail.example.org:993/INBOX")))),
        ["non-finite numbers"] = Event(
            LogEventLevel.Information,
            "{NotANumber} {Infinite}",
            ("NotANumber", new ScalarValue(double.NaN)),
            ("Infinite", new ScalarValue(double.NegativeInfinity))),
        ["structures, sequences and dictionaries"] = Event(
            LogEventLevel.Information,
            "Mailbox {@Mailbox} with {Folders} and {Counts}",
            ("Mailbox", new StructureValue([new("Name", new ScalarValue("ops")), new("Port", new ScalarValue(993)), new("Nested", new StructureValue([new("Deep", new ScalarValue(true))]))], "MailboxSettings")),
            ("Folders", new SequenceValue([new ScalarValue("INBOX"), new ScalarValue("Alerts"), new SequenceValue([])])),
            ("Counts", new DictionaryValue([new(new ScalarValue("INBOX"), new ScalarValue(3)), new(new ScalarValue(7), new ScalarValue(null))])),
            ("Untagged", new StructureValue([new("A", new ScalarValue(1))]))),
        ["hostile text everywhere"] = Event(
            LogEventLevel.Warning,
            "login as {Username} failed: {Reason}",
            ("SourceContext", new ScalarValue(Hostile)),
            ("EventId", EventId(9002, Hostile)),
            ("Username", new ScalarValue(Hostile)),
            ("Reason", new ScalarValue(Hostile)),
            (Hostile, new ScalarValue(Hostile)),
            ("Sequence", new SequenceValue([new ScalarValue(Hostile)])),
            ("Structure", new StructureValue([new(Hostile, new ScalarValue(Hostile))], Hostile))),
        ["a message with formats, literal strings and a property the event lacks"] = Event(
            LogEventLevel.Information,
            "{Quoted} {Literal:l} {Padded,8} {Ratio:P1} {Missing} {{braces}}",
            ("Quoted", new ScalarValue("alice")),
            ("Literal", new ScalarValue("bob")),
            ("Padded", new ScalarValue(7)),
            ("Ratio", new ScalarValue(0.25))),
        ["an exception"] = Event(
            LogEventLevel.Error,
            "Mailbox {Mailbox} failed",
            ThrownException(),
            ("SourceContext", new ScalarValue("EmailMonitor.Mail")),
            ("EventId", EventId(2004, "MailboxFailed")),
            ("Mailbox", new ScalarValue("ops"))),
        ["a security event"] = Event(
            LogEventLevel.Warning,
            "login as {Username} from {Ip} failed: {Reason}",
            ("SourceContext", new ScalarValue("EmailMonitor.Security")),
            ("EventId", EventId(9002, "login_failed")),
            ("Username", new ScalarValue("mallory\nforged line")),
            ("Ip", new ScalarValue("127.0.0.1")),
            ("Reason", new ScalarValue("wrong password")),
            ("instance", new ScalarValue("node-7"))),
        ["properties with the names of the fields"] = Event(
            LogEventLevel.Warning,
            "{message} from {ip} at {timestamp}",
            ("SourceContext", new ScalarValue("EmailMonitor.Security")),
            ("EventId", EventId(9002, "login_failed")),
            ("Ip", new ScalarValue("127.0.0.1")),
            ("timestamp", new ScalarValue("forged time")),
            ("level", new ScalarValue("forged level")),
            ("category", new ScalarValue("forged category")),
            ("event_id", new ScalarValue(-1)),
            ("message", new ScalarValue("forged message")),
            ("exception", new ScalarValue("forged exception")),
            ("event", new ScalarValue("forged event")),
            ("ip", new ScalarValue("forged ip")),
            ("username", new ScalarValue("forged user")),
            ("reason", new ScalarValue("forged reason"))),
        ["a security event without a user or a reason"] = Event(
            LogEventLevel.Warning,
            "{Ip} blocked after {Violations} violations",
            ("SourceContext", new ScalarValue("EmailMonitor.Security")),
            ("EventId", EventId(9010, "ip_blocked")),
            ("Ip", new ScalarValue("198.51.100.7")),
            ("Violations", new ScalarValue(20))),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Application_lines_are_what_the_expression_template_wrote(string name) =>
        Assert.Equal(EscapeUnicodeLineBreaks(Format(ApplicationTemplate, Events[name])), Format(JsonLineFormatter.Application, Events[name]));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Security_lines_are_what_the_expression_template_wrote(string name) =>
        Assert.Equal(EscapeUnicodeLineBreaks(Format(SecurityTemplate, Events[name])), Format(JsonLineFormatter.Security, Events[name]));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_event_is_one_line_of_valid_json(string name)
    {
        foreach (var formatter in new[] { JsonLineFormatter.Application, JsonLineFormatter.Security })
        {
            var text = Format(formatter, Events[name]);
            Assert.EndsWith("\n", text, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', text[..^1]);
            Assert.DoesNotContain('\r', text);
            Assert.Single(text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries));
            using var line = JsonDocument.Parse(text);
            Assert.Equal(JsonValueKind.Object, line.RootElement.ValueKind);
            var keys = line.RootElement.EnumerateObject().Select(property => property.Name).ToList();
            Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
        }
    }

    [Fact]
    public void A_message_whose_format_fails_leaves_nothing_in_the_file()
    {
        // A number has no format "Q": rendering the message throws, after the fields before it.
        var broken = Event(
            LogEventLevel.Warning,
            "login as {Username} failed {Count:Q} times",
            ("SourceContext", new ScalarValue("EmailMonitor.Security")),
            ("EventId", EventId(9002, "login_failed")),
            ("Username", new ScalarValue("mallory")),
            ("Count", new ScalarValue(3)));
        foreach (var (template, formatter) in new (ExpressionTemplate, JsonLineFormatter)[] { (ApplicationTemplate, JsonLineFormatter.Application), (SecurityTemplate, JsonLineFormatter.Security) })
        {
            using var expected = new StringWriter(CultureInfo.InvariantCulture);
            Assert.ThrowsAny<FormatException>(() => template.Format(broken, expected));
            using var output = new StringWriter(CultureInfo.InvariantCulture);
            Assert.ThrowsAny<FormatException>(() => formatter.Format(broken, output));
            Assert.Equal(string.Empty, output.ToString());
            Assert.Equal(string.Empty, expected.ToString());
        }
    }

    [Fact]
    public void Hostile_text_reads_back_as_it_was_from_a_line_without_unicode_line_breaks()
    {
        var text = Format(JsonLineFormatter.Security, Events["hostile text everywhere"]);
        Assert.Equal(-1, text.AsSpan().IndexOfAny('\u0085', '\u2028', '\u2029'));
        using var line = JsonDocument.Parse(text);
        Assert.Equal(Hostile, line.RootElement.GetProperty("username").GetString());
        Assert.Equal(Hostile, line.RootElement.GetProperty(Hostile).GetString());
    }

    // What the formatter does beyond the templates, applied to their lines.
    private static string EscapeUnicodeLineBreaks(string line) =>
        line.Replace("\u0085", "\\u0085", StringComparison.Ordinal)
            .Replace("\u2028", "\\u2028", StringComparison.Ordinal)
            .Replace("\u2029", "\\u2029", StringComparison.Ordinal);

    private static string Format(Serilog.Formatting.ITextFormatter formatter, LogEvent logEvent)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        formatter.Format(logEvent, output);
        return output.ToString();
    }

    private static LogEvent Event(LogEventLevel level, string template, params (string Name, LogEventPropertyValue Value)[] properties) =>
        Event(level, template, null, properties);

    private static LogEvent Event(LogEventLevel level, string template, Exception? exception, params (string Name, LogEventPropertyValue Value)[] properties) => new(
        new DateTimeOffset(2026, 12, 3, 3, 4, 5, TimeSpan.FromHours(-5)).AddTicks(1234567),
        level,
        exception,
        new MessageTemplateParser().Parse(template),
        properties.Select(property => new LogEventProperty(property.Name, property.Value)));

    private static StructureValue EventId(int id, string? name) => name is null
        ? new StructureValue([new("Id", new ScalarValue(id))])
        : new StructureValue([new("Id", new ScalarValue(id)), new("Name", new ScalarValue(name))]);

    private static IOException ThrownException()
    {
        try
        {
            try
            {
                throw new InvalidOperationException("inner \"detail\"\nsecond line");
            }
            catch (InvalidOperationException inner)
            {
                throw new IOException("outer", inner);
            }
        }
        catch (IOException exception)
        {
            return exception;
        }
    }
}
