using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace EmailMonitor.Storage;

/// <summary>
/// A committed event: its server-wide <c>event_id</c>, its mailbox (who may see it), and the
/// analysed email as stored JSON (the <c>new_email</c> fields without <c>type</c> and <c>event_id</c>).
/// </summary>
internal sealed record StoredEvent(long EventId, string Mailbox, string Payload)
{
    /// <summary>The email's trace when this instance has just committed it; default when read back from the database.</summary>
    public ActivityContext Trace { get; init; }

    /// <summary>The payload's size in UTF-8, as it travels.</summary>
    public long PayloadBytes => Encoding.UTF8.GetByteCount(Payload);

    /// <summary>
    /// The event as one UTF-8 JSON object: <paramref name="leadingFields"/> (each followed by a
    /// comma), then <c>event_id</c>, then the stored fields, spliced without parsing the payload.
    /// </summary>
    public byte[] ToUtf8Json(ReadOnlySpan<byte> leadingFields = default)
    {
        var eventId = Encoding.UTF8.GetBytes($"\"event_id\":{EventId.ToString(CultureInfo.InvariantCulture)},");
        // The payload is a JSON object; its opening brace is replaced by the one written here.
        var fields = Payload.AsSpan(1);
        var json = new byte[1 + leadingFields.Length + eventId.Length + Encoding.UTF8.GetByteCount(fields)];
        json[0] = (byte)'{';
        leadingFields.CopyTo(json.AsSpan(1));
        eventId.CopyTo(json.AsSpan(1 + leadingFields.Length));
        Encoding.UTF8.GetBytes(fields, json.AsSpan(1 + leadingFields.Length + eventId.Length));
        return json;
    }
}
