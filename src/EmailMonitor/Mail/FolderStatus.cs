using EmailMonitor.Pipeline;

namespace EmailMonitor.Mail;

/// <summary>What is known about one watched folder right now; shown by health, metrics and logs.</summary>
internal sealed record FolderStatus(
    FolderKey Folder,
    FolderState State,
    bool IdleSupported,
    uint LastUid,
    string? LastError,
    DateTimeOffset? LastConnectedAt,
    DateTimeOffset? NextAttemptAt);
