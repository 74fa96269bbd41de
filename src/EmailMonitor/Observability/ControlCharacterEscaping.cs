using System.Globalization;
using System.Text;
using Serilog.Events;
using Serilog.Formatting;

namespace EmailMonitor.Observability;

/// <summary>
/// Writes log events for a terminal with every control character in their values shown as
/// <c>\u001B</c>: a request path, a user name or a server's error text could otherwise move the
/// cursor, recolour the screen or start a line that looks like another log entry. The JSON log
/// files need none of this; JSON escapes control characters itself.
/// </summary>
internal sealed class ControlCharacterEscaping(ITextFormatter inner) : ITextFormatter
{
    public void Format(LogEvent logEvent, TextWriter output)
    {
        if (!logEvent.Properties.Values.Any(HasControlCharacters))
        {
            inner.Format(logEvent, output);
            return;
        }

        var escaped = new LogEvent(
            logEvent.Timestamp,
            logEvent.Level,
            logEvent.Exception,
            logEvent.MessageTemplate,
            logEvent.Properties.Select(property => new LogEventProperty(property.Key, Escape(property.Value))),
            logEvent.TraceId ?? default,
            logEvent.SpanId ?? default);
        inner.Format(escaped, output);
    }

    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (char.IsControl(c))
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

    private static bool HasControlCharacters(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string text } => text.Any(char.IsControl),
        SequenceValue sequence => sequence.Elements.Any(HasControlCharacters),
        StructureValue structure => structure.Properties.Any(p => HasControlCharacters(p.Value)),
        DictionaryValue dictionary => dictionary.Elements.Any(e => HasControlCharacters(e.Key) || HasControlCharacters(e.Value)),
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
