namespace EmailMonitor.Storage;

/// <summary>
/// The events one commit added to the log, and where the log ended before it: together, every
/// event with an id in (<see cref="After"/>, the last one's]. A reader whose cursor is at
/// <see cref="After"/> or beyond may take them as they are; one further behind reads the gap first.
/// </summary>
internal sealed record CommittedEvents(long After, IReadOnlyList<StoredEvent> Events)
{
    /// <summary>The last event_id the log holds after this commit.</summary>
    public long End => Events.Count > 0 ? Events[^1].EventId : After;
}
