namespace EmailMonitor.Observability;

/// <summary>One watched folder in <see cref="ServiceStats"/>.</summary>
internal sealed record MailboxStats(string Mailbox, string Folder, string State, uint LastUid, string? LastError, DateTimeOffset? LastConnectedAt);
