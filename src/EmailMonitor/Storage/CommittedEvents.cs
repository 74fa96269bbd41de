namespace EmailMonitor.Storage;

/// <summary>
/// The events one commit added to the log, and where the log ended before it: together, every
/// event with an id in (<see cref="After"/>, <see cref="End"/>]. A reader whose cursor is at
/// <see cref="After"/> or beyond may take them as they are; one further behind reads the gap first.
/// A notice (<see cref="Notice"/>) carries no events, only that the log reaches <see cref="End"/>.
/// </summary>
/// <remarks><see cref="Local"/>: committed by this instance (and so for this instance to tell the others).</remarks>
internal sealed record CommittedEvents(long After, IReadOnlyList<StoredEvent> Events, bool Local = true)
{
    /// <summary>The last event_id the log holds after this commit.</summary>
    public long End { get; init; } = Events.Count > 0 ? Events[^1].EventId : After;

    public bool IsNotice => Events.Count == 0;

    /// <summary>That the log reaches <paramref name="end"/>, without the events: readers read them.</summary>
    public static CommittedEvents Notice(long end) => new(end, [], Local: false);
}
