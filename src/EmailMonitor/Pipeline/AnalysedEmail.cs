using System.Diagnostics;
using EmailMonitor.Analysis;

namespace EmailMonitor.Pipeline;

/// <summary>
/// An email's verdict together with the checkpoint its commit advances, and what the rules decided
/// beyond the event itself: webhooks it goes to whatever their filters, or that it is not stored at all.
/// </summary>
internal sealed record AnalysedEmail(EmailEvent Event, SourceCheckpoint Checkpoint)
{
    /// <summary>Webhooks the event is delivered to even where their own filters would not take it.</summary>
    public IReadOnlyList<long> Routes { get; init; } = [];

    /// <summary>A rule suppressed it: the checkpoint moves past it, and no event is stored or sent.</summary>
    public bool Suppressed { get; init; }

    /// <summary>The message's header block as it arrived (<see cref="Pipeline.RawHeaders"/>); empty when unknown.</summary>
    public string RawHeaders { get; init; } = string.Empty;

    /// <summary>The event as stored and sent (its JSON), written before storage's write lock; null to write it there.</summary>
    public string? Payload { get; init; }

    /// <summary>What search finds the event by, worked out before storage's write lock; null to work it out there.</summary>
    public Search.SearchFields? Search { get; init; }

    /// <summary>The email's trace (its fetch span); default when not traced.</summary>
    public ActivityContext Trace { get; init; }
}
