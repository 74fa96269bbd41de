namespace EmailMonitor.Analysis;

/// <summary>Facts about one attachment, computed from its decoded content.</summary>
internal sealed record AttachmentInfo
{
    public string Filename { get; init; } = string.Empty;

    public string ContentType { get; init; } = string.Empty;

    public string DetectedType { get; init; } = string.Empty;

    public long Size { get; init; }

    public string Sha256 { get; init; } = string.Empty;

    public IReadOnlyList<string> Flags { get; init; } = [];
}
