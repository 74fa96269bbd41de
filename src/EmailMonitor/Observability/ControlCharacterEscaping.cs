using System.Globalization;
using System.Text;
using Serilog.Events;
using Serilog.Formatting;

namespace EmailMonitor.Observability;

/// <summary>
/// Writes log events for a terminal with every control character in their values shown as
/// <c>\u001B</c>: a request path, a user name or a server's error text could otherwise move the
/// cursor, recolour the screen or start a line that looks like another log entry. Bidirectional
/// overrides are escaped too, as they reorder what a reader sees. An exception keeps the line
/// breaks of its stack trace and loses every other control character. The JSON log files need
/// none of this; JSON escapes control characters itself.
/// </summary>
internal sealed class ControlCharacterEscaping(ITextFormatter inner) : ITextFormatter
{
    public void Format(LogEvent logEvent, TextWriter output)
    {
        if (logEvent.Exception is null && !logEvent.Properties.Values.Any(HasUnsafeCharacters))
        {
            inner.Format(logEvent, output);
            return;
        }

        var escaped = new LogEvent(
            logEvent.Timestamp,
            logEvent.Level,
            exception: null,
            logEvent.MessageTemplate,
            logEvent.Properties.Select(property => new LogEventProperty(property.Key, Escape(property.Value))),
            logEvent.TraceId ?? default,
            logEvent.SpanId ?? default);
        inner.Format(escaped, output);
        if (logEvent.Exception is { } exception)
        {
            output.Write(Escape(exception.ToString(), keepLineBreaks: true));
            output.Write(Environment.NewLine);
        }
    }

    public static string Escape(string text, bool keepLineBreaks = false)
    {
        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (IsUnsafe(c) && !(keepLineBreaks && c is '\n' or '\r'))
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }

    // Control characters, and the bidirectional marks, embeddings, overrides and isolates.
    private static bool IsUnsafe(char c) => char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F';

    private static bool HasUnsafeCharacters(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string text } => text.Any(IsUnsafe),
        SequenceValue sequence => sequence.Elements.Any(HasUnsafeCharacters),
        StructureValue structure => structure.Properties.Any(p => HasUnsafeCharacters(p.Value)),
        DictionaryValue dictionary => dictionary.Elements.Any(e => HasUnsafeCharacters(e.Key) || HasUnsafeCharacters(e.Value)),
        _ => false,
    };

    private static LogEventPropertyValue Escape(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string text } => new ScalarValue(Escape(text)),
        SequenceValue sequence => new SequenceValue(sequence.Elements.Select(Escape)),
        StructureValue structure => new StructureValue(structure.Properties.Select(p => new LogEventProperty(p.Name, Escape(p.Value))), structure.TypeTag),
        DictionaryValue dictionary => new DictionaryValue(dictionary.Elements.Select(e => new KeyValuePair<ScalarValue, LogEventPropertyValue>((ScalarValue)Escape(e.Key), Escape(e.Value)))),
        _ => value,
    };
}
