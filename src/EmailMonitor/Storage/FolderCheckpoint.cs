namespace EmailMonitor.Storage;

/// <summary>How far a folder has been processed: every UID up to <see cref="LastUid"/> under <see cref="UidValidity"/>.</summary>
internal sealed record FolderCheckpoint(uint UidValidity, uint LastUid);
