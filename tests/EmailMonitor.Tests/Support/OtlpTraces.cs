using System.Buffers.Binary;
using System.Text;

namespace EmailMonitor.Tests.Support;

/// <summary>One span as an OTLP export request carries it.</summary>
internal sealed record OtlpSpan(string TraceId, string SpanId, string ParentSpanId, string Name, IReadOnlyDictionary<string, string> Attributes, IReadOnlyDictionary<string, string> Resource);

/// <summary>
/// Reads the spans out of an OTLP/HTTP protobuf export (ExportTraceServiceRequest), written from the
/// published .proto field numbers with a protobuf wire-format reader of its own: the test does not
/// use the exporter's code to read what the exporter wrote.
/// </summary>
internal static class OtlpTraces
{
    public static IReadOnlyList<OtlpSpan> Read(byte[] request)
    {
        var spans = new List<OtlpSpan>();
        foreach (var (field, resourceSpans) in Fields(request))
        {
            if (field != 1)
            {
                continue;
            }

            var resource = new Dictionary<string, string>();
            foreach (var (part, value) in Fields(resourceSpans))
            {
                if (part == 1)
                {
                    // Resource { repeated KeyValue attributes = 1; }
                    foreach (var (attribute, pair) in Fields(value))
                    {
                        if (attribute == 1)
                        {
                            Add(resource, pair);
                        }
                    }
                }
                else if (part == 2)
                {
                    // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
                    foreach (var (scopeField, span) in Fields(value))
                    {
                        if (scopeField == 2)
                        {
                            spans.Add(ReadSpan(span, resource));
                        }
                    }
                }
            }
        }

        return spans;
    }

    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; repeated KeyValue attributes = 9; }
    private static OtlpSpan ReadSpan(byte[] span, Dictionary<string, string> resource)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var attributes = new Dictionary<string, string>();
        foreach (var (field, value) in Fields(span))
        {
            switch (field)
            {
                case 1: traceId = Convert.ToHexStringLower(value); break;
                case 2: spanId = Convert.ToHexStringLower(value); break;
                case 4: parent = Convert.ToHexStringLower(value); break;
                case 5: name = Encoding.UTF8.GetString(value); break;
                case 9: Add(attributes, value); break;
            }
        }

        return new OtlpSpan(traceId, spanId, parent, name, attributes, resource);
    }

    // KeyValue { string key = 1; AnyValue value = 2; }; AnyValue { string = 1; bool = 2; int64 = 3; }
    private static void Add(Dictionary<string, string> into, byte[] pair)
    {
        string? key = null, text = null;
        foreach (var (field, value) in Fields(pair))
        {
            if (field == 1)
            {
                key = Encoding.UTF8.GetString(value);
            }
            else if (field == 2)
            {
                foreach (var (kind, content) in Fields(value))
                {
                    text = kind switch
                    {
                        1 => Encoding.UTF8.GetString(content),
                        2 => (BinaryPrimitives.ReadUInt64LittleEndian(Pad(content)) != 0).ToString(),
                        3 => ((long)BinaryPrimitives.ReadUInt64LittleEndian(Pad(content))).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        _ => text,
                    };
                }
            }
        }

        if (key is not null && text is not null)
        {
            into[key] = text;
        }
    }

    private static byte[] Pad(byte[] bytes)
    {
        var padded = new byte[8];
        bytes.AsSpan(0, Math.Min(8, bytes.Length)).CopyTo(padded);
        return padded;
    }

    /// <summary>
    /// Each field of a message: length-delimited ones as their bytes, varints as their value's
    /// little-endian bytes, fixed ones as they are.
    /// </summary>
    private static IEnumerable<(int Field, byte[] Value)> Fields(byte[] message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var key = ReadVarint(message, ref position);
            var field = (int)(key >> 3);
            switch (key & 7)
            {
                case 0:
                    var number = ReadVarint(message, ref position);
                    var bytes = new byte[8];
                    BinaryPrimitives.WriteUInt64LittleEndian(bytes, number);
                    yield return (field, bytes);
                    break;
                case 1:
                    yield return (field, message[position..(position + 8)]);
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref position);
                    yield return (field, message[position..(position + length)]);
                    position += length;
                    break;
                case 5:
                    yield return (field, message[position..(position + 4)]);
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"wire type {key & 7} at {position}");
            }
        }
    }

    private static ulong ReadVarint(byte[] message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}
