namespace EmailMonitor.Plugins;

/// <summary>
/// An analysed email as a plugin sees it: the fields of a <c>new_email</c> event (the sanitized
/// HTML left out: a plugin has the text). Everything here came from the sender unless said
/// otherwise; treat it as hostile input. The lists are read-only copies.
/// </summary>
/// <param name="Id">The stable message id (mailbox, folder, UIDVALIDITY, UID).</param>
/// <param name="Mailbox">The configured mailbox it came from.</param>
/// <param name="Folder">The folder it came from.</param>
/// <param name="Sender">The sender address.</param>
/// <param name="SenderName">The sender's display name.</param>
/// <param name="Subject">The decoded subject.</param>
/// <param name="Recipients">To and Cc addresses.</param>
/// <param name="TextContent">The plain text (at most 100 KiB).</param>
/// <param name="Attachments">What each attachment is, from its bytes.</param>
/// <param name="SecurityFlags">The flags so far (the built-in analysis, and judges before this one).</param>
/// <param name="RiskScore">The score so far, 0–100.</param>
/// <param name="Tags">Tags so far.</param>
public sealed record EmailFacts(
    string Id,
    string Mailbox,
    string Folder,
    string Sender,
    string SenderName,
    string Subject,
    IReadOnlyList<string> Recipients,
    string TextContent,
    IReadOnlyList<AttachmentFacts> Attachments,
    IReadOnlyList<string> SecurityFlags,
    int RiskScore,
    IReadOnlyList<string> Tags);

/// <summary>One attachment: its cleaned name, declared and detected types, size, SHA-256 (hex) and its own flags.</summary>
/// <param name="Filename">The name, cleaned of directory parts and control characters.</param>
/// <param name="ContentType">The type the sender declared.</param>
/// <param name="DetectedType">The type its bytes show.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="Sha256">Its SHA-256, lower-case hex.</param>
/// <param name="Flags">Its own flags.</param>
public sealed record AttachmentFacts(string Filename, string ContentType, string DetectedType, long Size, string Sha256, IReadOnlyList<string> Flags);

/// <summary>An event as stored: its <c>event_id</c> and the email with every judge's and rule's verdict in it.</summary>
/// <param name="EventId">The server-wide event id.</param>
/// <param name="Email">The email as stored.</param>
public sealed record StoredEmail(long EventId, EmailFacts Email);
