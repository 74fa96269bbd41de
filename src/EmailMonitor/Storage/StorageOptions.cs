namespace EmailMonitor.Storage;

internal sealed class StorageOptions
{
    public const string Section = "Storage";

    public string DataDirectory { get; set; } = string.Empty;

    public string DatabaseUrl { get; set; } = string.Empty;

    /// <summary>Events older than this are deleted; zero keeps them forever.</summary>
    public TimeSpan RetentionAge { get; set; } = TimeSpan.FromDays(90);

    /// <summary>At most this many events are kept, the oldest deleted first; zero for no limit.</summary>
    public long RetentionMaxEvents { get; set; }

    /// <summary>How often retention runs.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long start-up waits for a PostgreSQL server that cannot be reached yet.</summary>
    public TimeSpan StartupPatience { get; set; } = TimeSpan.FromSeconds(60);

    public string DatabasePath => Path.GetFullPath(Path.Combine(DataDirectory, "email-monitor.db"));
}
