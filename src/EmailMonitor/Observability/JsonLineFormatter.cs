using System.Buffers;
using System.Globalization;
using System.Text;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Json;
using Serilog.Parsing;

namespace EmailMonitor.Observability;

/// <summary>
/// Writes each event as one line of JSON: its named fields first, in order and only where the event
/// has a value for them, then every other property of the event under its own name. The two log
/// files differ only in their fields (<see cref="Application"/> and <see cref="Security"/>).
/// </summary>
/// <remarks>
/// Written by hand rather than as a Serilog.Expressions template, which compiles its templates
/// with expression trees and kept that machinery resident in the idle service (5 MiB,
/// docs/benchmarks.md).
/// </remarks>
internal sealed class JsonLineFormatter : ITextFormatter
{
    private static readonly JsonValueFormatter Values = new(typeTagName: "$type");

    // Valid unescaped in JSON, but line breaks to readers that split on every Unicode line break
    // (Python's str.splitlines, many editors): a subject holding one could make a log line look like two.
    private static readonly SearchValues<char> UnicodeLineBreaks = SearchValues.Create("\u0085\u2028\u2029");

    private readonly (string Name, Func<LogEvent, LogEventPropertyValue?> Value)[] _fields;
    private readonly HashSet<string> _namedProperties;

    private JsonLineFormatter((string Name, Func<LogEvent, LogEventPropertyValue?> Value)[] fields, params string[] namedProperties)
    {
        _fields = fields;
        _namedProperties = new HashSet<string>(namedProperties, StringComparer.Ordinal);
    }

    /// <summary><c>logs/email_monitor.log</c>: when, how severe, from where, which event, what happened.</summary>
    public static JsonLineFormatter Application { get; } = new(
        [
            ("timestamp", Timestamp),
            ("level", Level),
            ("category", e => Property(e, "SourceContext")),
            ("event_id", e => Member(e, "EventId", "Id")),
            ("message", Message),
            ("exception", ExceptionText),
        ],
        "SourceContext",
        "EventId");

    /// <summary><c>logs/security.log</c>: when, which security event, from which address, as whom and why (CONTRACT §6).</summary>
    public static JsonLineFormatter Security { get; } = new(
        [
            ("timestamp", Timestamp),
            ("event", e => Member(e, "EventId", "Name")),
            ("ip", e => Property(e, "Ip")),
            ("username", e => Property(e, "Username")),
            ("reason", e => Property(e, "Reason")),
            ("level", Level),
            ("message", Message),
        ],
        "EventId",
        "Ip",
        "Username",
        "Reason");

    public void Format(LogEvent logEvent, TextWriter output)
    {
        // The whole line first: a message whose format fails (a format specifier its value does
        // not take) must leave nothing behind in the file, not half a line before the next one.
        using var line = new StringWriter(CultureInfo.InvariantCulture);
        line.Write('{');
        var first = true;
        foreach (var (name, value) in _fields)
        {
            // A property of the event with a field's name takes the field's place, at the end, as
            // the templates had it: a line never holds the same key twice.
            if (value(logEvent) is { } fieldValue && !logEvent.Properties.ContainsKey(name))
            {
                Write(line, name, fieldValue, ref first);
            }
        }

        foreach (var (name, value) in logEvent.Properties)
        {
            if (!_namedProperties.Contains(name))
            {
                Write(line, name, value, ref first);
            }
        }

        line.Write('}');
        line.Write('\n');
        output.Write(EscapeUnicodeLineBreaks(line.ToString()));
    }

    /// <remarks>They can only stand inside a JSON string here, where their escaped form reads back the same.</remarks>
    private static string EscapeUnicodeLineBreaks(string line)
    {
        if (line.AsSpan().IndexOfAny(UnicodeLineBreaks) < 0)
        {
            return line;
        }

        var escaped = new StringBuilder(line.Length + 16);
        foreach (var c in line)
        {
            if (UnicodeLineBreaks.Contains(c))
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }

    private static void Write(TextWriter output, string name, LogEventPropertyValue value, ref bool first)
    {
        if (!first)
        {
            output.Write(',');
        }

        first = false;
        JsonValueFormatter.WriteQuotedJsonString(name, output);
        output.Write(':');
        Values.Format(value, output);
    }

    private static ScalarValue Timestamp(LogEvent logEvent) => new(logEvent.Timestamp.UtcDateTime);

    private static ScalarValue Level(LogEvent logEvent) => new(logEvent.Level.ToString());

    // Strings as they are, other scalars in their format, and structures and lists as JSON: a
    // message is read by people, and a user name in quotes reads as part of the name.
    private static ScalarValue Message(LogEvent logEvent)
    {
        using var message = new StringWriter(CultureInfo.InvariantCulture);
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            if (token is not PropertyToken property)
            {
                token.Render(logEvent.Properties, message, CultureInfo.InvariantCulture);
                continue;
            }

            if (!logEvent.Properties.TryGetValue(property.PropertyName, out var value))
            {
                message.Write(property.ToString());
                continue;
            }

            var text = value switch
            {
                ScalarValue { Value: string literal } => literal,
                ScalarValue scalar => Rendered(scalar, property.Format),
                _ => Json(value),
            };
            if (property.Alignment is { } alignment && text.Length < alignment.Width)
            {
                text = alignment.Direction == AlignmentDirection.Left ? text.PadRight(alignment.Width) : text.PadLeft(alignment.Width);
            }

            message.Write(text);
        }

        return new(message.ToString());
    }

    private static string Rendered(ScalarValue scalar, string? format)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        scalar.Render(text, format, CultureInfo.InvariantCulture);
        return text.ToString();
    }

    private static string Json(LogEventPropertyValue value)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        Values.Format(value, text);
        return text.ToString();
    }

    private static ScalarValue? ExceptionText(LogEvent logEvent) => logEvent.Exception is { } exception ? new(exception.ToString()) : null;

    private static LogEventPropertyValue? Property(LogEvent logEvent, string name) =>
        logEvent.Properties.TryGetValue(name, out var value) ? value : null;

    private static LogEventPropertyValue? Member(LogEvent logEvent, string name, string member) =>
        Property(logEvent, name) is StructureValue structure
            ? structure.Properties.FirstOrDefault(property => property.Name == member)?.Value
            : null;
}
