namespace EmailMonitor.Analysis;

/// <summary>What one level of a ZIP archive revealed.</summary>
internal sealed record ArchiveFindings(
    bool IsOfficeDocument,
    bool HasVbaProject,
    bool Encrypted,
    bool DangerousMember,
    bool DoubleExtensionMember,
    bool BidiMember)
{
    public static readonly ArchiveFindings None = new(false, false, false, false, false, false);
}
