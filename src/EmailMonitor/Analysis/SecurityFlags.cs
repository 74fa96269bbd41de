namespace EmailMonitor.Analysis;

/// <summary>
/// The flag names of CONTRACT §4 and what each adds to <c>risk_score</c>. The weights live here
/// and nowhere else; the README explains each flag. A score is the sum of its distinct flags'
/// weights, capped at 100: one strong sign (an executable) is enough to reach the top band on its
/// own, weaker signs add up.
/// </summary>
internal static class SecurityFlags
{
    public const string DangerousAttachment = "dangerous_attachment";
    public const string DoubleExtension = "double_extension";
    public const string RtloFilename = "rtlo_filename";
    public const string TypeMismatch = "type_mismatch";
    public const string MacroDocument = "macro_document";
    public const string EncryptedArchive = "encrypted_archive";
    public const string OversizedAttachment = "oversized_attachment";
    public const string ScriptRemoved = "script_removed";
    public const string ExternalImages = "external_images";
    public const string SuspiciousLink = "suspicious_link";
    public const string SenderSpoofing = "sender_spoofing";
    public const string ReplyToMismatch = "reply_to_mismatch";
    public const string SpfFail = "spf_fail";
    public const string DkimFail = "dkim_fail";
    public const string DmarcFail = "dmarc_fail";
    public const string MalformedMessage = "malformed_message";

    public static readonly IReadOnlyDictionary<string, int> Weights = new Dictionary<string, int>
    {
        [DangerousAttachment] = 60,
        [RtloFilename] = 50,
        [DoubleExtension] = 40,
        [MacroDocument] = 40,
        [SenderSpoofing] = 40,
        [TypeMismatch] = 30,
        [EncryptedArchive] = 30,
        [SuspiciousLink] = 30,
        [DmarcFail] = 30,
        [ScriptRemoved] = 20,
        [SpfFail] = 20,
        [DkimFail] = 20,
        [ReplyToMismatch] = 15,
        [MalformedMessage] = 15,
        [OversizedAttachment] = 10,
        [ExternalImages] = 5,
    };

    /// <summary>
    /// Message flags that point at an attack rather than at ordinary mail (newsletters carry
    /// remote images; broken MIME is mostly broken software): they go to the security log.
    /// </summary>
    public static readonly IReadOnlySet<string> Suspicious = new HashSet<string>(StringComparer.Ordinal)
    {
        SenderSpoofing, ReplyToMismatch, SuspiciousLink, ScriptRemoved, SpfFail, DkimFail, DmarcFail,
    };

    /// <summary>True when an attachment's flags say it may harm, not merely that it is large.</summary>
    public static bool IsDangerousAttachment(IReadOnlyList<string> attachmentFlags) =>
        attachmentFlags.Any(flag => flag != OversizedAttachment);

    public static int RiskScore(IEnumerable<string> flags) =>
        Math.Min(100, flags.Distinct(StringComparer.Ordinal).Sum(flag => Weights.GetValueOrDefault(flag)));
}
