namespace EmailMonitor.Observability;

/// <summary>The seed's system metrics (CONTRACT §6) at one moment.</summary>
internal sealed record ServiceStats(
    long ActiveConnections,
    long EmailsProcessed,
    long EmailsPerMinute,
    long RateLimitsExceeded,
    int BlockedIps,
    long FailedAuthentications,
    long UptimeSeconds,
    IReadOnlyList<MailboxStats> Mailboxes);
