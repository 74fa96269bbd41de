namespace EmailMonitor.Analysis;

/// <summary>
/// The analysed, safe form of one email: the fields of CONTRACT §4's <c>new_email</c> except
/// <c>type</c> and <c>event_id</c>, which the event store assigns. Never absent, empty when
/// there is nothing.
/// </summary>
internal sealed record EmailEvent
{
    public required string Id { get; init; }

    public string Subject { get; init; } = string.Empty;

    public string Sender { get; init; } = string.Empty;

    public string SenderName { get; init; } = string.Empty;

    public IReadOnlyList<string> Recipients { get; init; } = [];

    public string Date { get; init; } = string.Empty;

    public required string ReceivedAt { get; init; }

    public required string Mailbox { get; init; }

    public required string Folder { get; init; }

    public string TextContent { get; init; } = string.Empty;

    public string HtmlContent { get; init; } = string.Empty;

    public IReadOnlyList<AttachmentInfo> Attachments { get; init; } = [];

    public IReadOnlyList<string> SecurityFlags { get; init; } = [];

    public int RiskScore { get; init; }

    /// <summary>Labels the rules and plugins gave the email (<c>Rules/</c>), in the order they were given.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The fields that were cut to <see cref="EventLimits"/>, by their JSON names.</summary>
    public IReadOnlyList<string> Truncated { get; init; } = [];
}
