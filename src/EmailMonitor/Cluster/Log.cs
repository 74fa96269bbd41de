namespace EmailMonitor.Cluster;

internal static partial class Log
{
    [LoggerMessage(EventId = 8001, Level = LogLevel.Warning, Message = "Redis connection lost ({Failure}); commits of other instances are read from the database meanwhile")]
    public static partial void RedisConnectionLost(this ILogger logger, string failure);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Information, Message = "Redis connection restored")]
    public static partial void RedisConnectionRestored(this ILogger logger);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Warning, Message = "A commit could not be announced through Redis ({Reason}); other instances find it in the database")]
    public static partial void CommitNotAnnounced(this ILogger logger, string reason);

    [LoggerMessage(EventId = 8004, Level = LogLevel.Warning, Message = "An announcement on Redis could not be read; ignored (the database has the events)")]
    public static partial void AnnouncementUnreadable(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 8005, Level = LogLevel.Warning, Message = "Reading the end of the event log failed; trying again")]
    public static partial void CommitPollFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 8006, Level = LogLevel.Information, Message = "Watching mailbox {Mailbox} (lease {Fence})")]
    public static partial void LeaseTaken(this ILogger logger, string mailbox, long fence);

    [LoggerMessage(EventId = 8007, Level = LogLevel.Warning, Message = "The lease {Fence} of mailbox {Mailbox} has passed to another instance; stopped watching it")]
    public static partial void LeaseLost(this ILogger logger, string mailbox, long fence);

    [LoggerMessage(EventId = 8008, Level = LogLevel.Information, Message = "Handed mailbox {Mailbox} over, so {Instances} instances share the mailboxes evenly")]
    public static partial void LeaseHandedOver(this ILogger logger, string mailbox, int instances);

    [LoggerMessage(EventId = 8009, Level = LogLevel.Warning, Message = "Renewing or taking mailbox leases failed; trying again next round")]
    public static partial void LeaseRoundFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 8010, Level = LogLevel.Warning, Message = "Could not tell the other instances of {Kind} ({Reason}); they catch up from the database when they hear Redis again")]
    public static partial void ControlNotSent(this ILogger logger, string kind, string reason);

    [LoggerMessage(EventId = 8011, Level = LogLevel.Warning, Message = "{What} could not be shared through Redis ({Reason}); each instance's own limits hold meanwhile (said once until it works again)")]
    public static partial void NotShared(this ILogger logger, string what, string reason);

    [LoggerMessage(EventId = 8012, Level = LogLevel.Warning, Message = "A message on Redis was refused: not sealed by an instance of this deployment and version (another JWT_SECRET_KEY, an older version, or forged), sealed more than 30 s ago, or heard before (replayed); ignored")]
    public static partial void AnnouncementRefused(this ILogger logger);

    [LoggerMessage(EventId = 8013, Level = LogLevel.Warning, Message = "Redis cannot be reached yet ({Reason}); trying again")]
    public static partial void RedisUnavailable(this ILogger logger, string reason);

    [LoggerMessage(EventId = 8014, Level = LogLevel.Error, Message = "Another process is running as INSTANCE_ID {Instance}: give every instance its own INSTANCE_ID, or they take each other's mailboxes")]
    public static partial void DuplicateInstance(this ILogger logger, string instance);

    [LoggerMessage(EventId = 8015, Level = LogLevel.Warning, Message = "The leases could not be renewed for {Seconds} s; stopped watching mailbox {Mailbox} before another instance takes it")]
    public static partial void LeaseExpiring(this ILogger logger, string mailbox, double seconds);

    [LoggerMessage(EventId = 8016, Level = LogLevel.Information, Message = "{What} are shared through Redis again")]
    public static partial void SharedAgain(this ILogger logger, string what);

    [LoggerMessage(EventId = 8017, Level = LogLevel.Warning, Message = "Could not catch up with what other instances decided while Redis was out of reach ({Reason}); trying again")]
    public static partial void CatchUpFailed(this ILogger logger, string reason);

    [LoggerMessage(EventId = 8018, Level = LogLevel.Information, Message = "Caught up with the other instances' decisions from the database: {Blocked} blocks put in force, {Lifted} lifted, {Closed} connections closed")]
    public static partial void CaughtUp(this ILogger logger, int blocked, int lifted, int closed);
}
