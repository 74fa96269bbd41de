namespace EmailMonitor.Observability;

/// <summary>One watched folder in <see cref="ServiceStats"/>; its errors are for administrators (/api/admin/mailboxes).</summary>
internal sealed record MailboxStats(string Mailbox, string Folder, string State, uint LastUid, DateTimeOffset? LastConnectedAt);
