namespace EmailMonitor.Storage;

internal sealed class StorageOptions
{
    public const string Section = "Storage";

    public string DataDirectory { get; set; } = string.Empty;

    public string DatabaseUrl { get; set; } = string.Empty;

    public string DatabasePath => Path.GetFullPath(Path.Combine(DataDirectory, "email-monitor.db"));
}
