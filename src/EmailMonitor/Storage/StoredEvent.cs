namespace EmailMonitor.Storage;

/// <summary>
/// A committed event: its server-wide <c>event_id</c> and the analysed email as stored JSON
/// (the <c>new_email</c> fields without <c>type</c> and <c>event_id</c>).
/// </summary>
internal sealed record StoredEvent(long EventId, string Payload);
