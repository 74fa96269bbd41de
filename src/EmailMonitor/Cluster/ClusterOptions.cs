namespace EmailMonitor.Cluster;

internal sealed class ClusterOptions
{
    public const string Section = "Cluster";

    /// <summary>REDIS_URL; empty for a single instance.</summary>
    public string RedisUrl { get; set; } = string.Empty;

    /// <summary>INSTANCE_ID; empty for host name + process id.</summary>
    public string InstanceId { get; set; } = string.Empty;

    /// <summary>How long a mailbox lease lasts unless renewed: an instance that dies is replaced after at most this.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often an instance renews its leases and looks for mailboxes without an owner.</summary>
    public TimeSpan LeaseRenewal { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often the events table is read for commits of other instances that no message announced.</summary>
    public TimeSpan CommitPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The same, while Redis announces commits: only a safety net then.</summary>
    public TimeSpan CommitPollIntervalWithRedis { get; set; } = TimeSpan.FromSeconds(5);

    public string ResolvedInstanceId => Resolve(InstanceId);

    /// <summary>INSTANCE_ID as configured, or host name and process id when it is empty.</summary>
    public static string Resolve(string? configured) =>
        string.IsNullOrEmpty(configured) ? $"{Environment.MachineName}-{Environment.ProcessId}" : configured;
}
