namespace EmailMonitor.Observability;

/// <summary>The service's counters since start and its gauges, read at one instant.</summary>
internal sealed record StatsSample(
    DateTimeOffset At,
    long ActiveConnections,
    long EmailsProcessed,
    long RateLimitsExceeded,
    int BlockedIps,
    long FailedAuthentications,
    IReadOnlyDictionary<string, long> FlaggedByFlag);
