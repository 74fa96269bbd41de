namespace EmailMonitor.Storage;

/// <summary>
/// A source's committed checkpoint: the generation of its numbering, the sequence number of the
/// last email committed in it, and the source's own serialized position.
/// </summary>
internal sealed record StoredPosition(long Generation, long Sequence, string Value);
