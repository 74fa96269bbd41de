using System.Text.Json;
using System.Text.Json.Serialization;
using EmailMonitor.Mail;
using EmailMonitor.Pipeline;

namespace EmailMonitor.Cluster;

/// <summary>
/// The instance watching a mailbox and its folders as that instance last reported them (at most
/// one lease round, <see cref="ClusterOptions.LeaseRenewal"/>, old).
/// </summary>
internal sealed record MailboxWatcher(string Instance, IReadOnlyList<FolderStatus> Folders)
{
    /// <summary>How a lease holder reports its folders in the lease table.</summary>
    public static string Report(IEnumerable<FolderStatus> folders) =>
        JsonSerializer.Serialize(
            [.. folders.OrderBy(f => f.Folder.Folder, StringComparer.Ordinal).Select(f => new ReportedFolder(
                f.Folder.Folder, f.State, f.IdleSupported, f.LastUid, f.LastError, f.LastConnectedAt, f.NextAttemptAt))],
            ClusterJson.Default.ListReportedFolder);

    /// <summary>The folders of a report; none when it cannot be read (written by a later version, damaged).</summary>
    public static IReadOnlyList<FolderStatus> Read(string mailbox, string report)
    {
        try
        {
            return JsonSerializer.Deserialize(report, ClusterJson.Default.ListReportedFolder) is { } folders
                ? [.. folders.Where(f => f?.Folder is not null).Select(f => new FolderStatus(
                    new FolderKey(mailbox, f.Folder), f.State, f.Idle, f.LastUid, f.LastError, f.LastConnectedAt, f.NextAttemptAt))]
                : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}

internal sealed record ReportedFolder(
    string Folder, FolderState State, bool Idle, uint LastUid, string? LastError, DateTimeOffset? LastConnectedAt, DateTimeOffset? NextAttemptAt);

[JsonSerializable(typeof(List<ReportedFolder>))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
internal sealed partial class ClusterJson : JsonSerializerContext;
