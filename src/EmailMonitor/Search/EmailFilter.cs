namespace EmailMonitor.Search;

/// <summary>
/// Which stored events a listing holds (<c>GET /api/emails</c>): each part given narrows it, and
/// an empty filter holds every event.
/// </summary>
internal sealed record EmailFilter
{
    public static readonly EmailFilter All = new();

    public string? Mailbox { get; init; }

    public string? Folder { get; init; }

    /// <summary>Words and phrases (<see cref="SearchWords.Terms"/>) the email's words must all hold.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Terms { get; init; } = [];

    /// <summary>Flags the email must all have.</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    /// <summary>Tags the email must all have.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    public int? MinRiskScore { get; init; }

    /// <summary>The earliest <c>received_at</c>, as stored (inclusive).</summary>
    public string? ReceivedSince { get; init; }

    /// <summary>The end of the <c>received_at</c> range, as stored (exclusive).</summary>
    public string? ReceivedUntil { get; init; }
}
