namespace EmailMonitor.Analysis;

/// <summary>
/// What analysis is told about where a message came from, to label its event: the stable message
/// id of CONTRACT §4, the mailbox and folder names, and when it was seen.
/// </summary>
internal sealed record EmailOrigin(string MessageId, string Mailbox, string Folder, DateTimeOffset ReceivedAt);
