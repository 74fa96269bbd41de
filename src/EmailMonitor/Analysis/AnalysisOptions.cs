namespace EmailMonitor.Analysis;

internal sealed class AnalysisOptions
{
    public const string Section = "Analysis";

    /// <summary>Keep remote images and other remote resources in <c>html_content</c>.</summary>
    public bool AllowRemoteContent { get; set; }

    /// <summary>Attachments larger than this are flagged <c>oversized_attachment</c> and not looked into.</summary>
    public long MaxAttachmentBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>Replaces <see cref="BlockedExtensions.Default"/> when set (<c>BLOCKED_ATTACHMENT_EXTENSIONS</c>).</summary>
    public string[] BlockedAttachmentExtensions { get; set; } = [];

    /// <summary>
    /// The receiving server's authserv-id: only its <c>Authentication-Results</c> header is
    /// believed. Empty: only the topmost header, the one the last hop added.
    /// </summary>
    public string AuthServId { get; set; } = string.Empty;
}
