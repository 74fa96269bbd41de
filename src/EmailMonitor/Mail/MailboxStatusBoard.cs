using System.Collections.Concurrent;
using EmailMonitor.Pipeline;

namespace EmailMonitor.Mail;

/// <summary>The live state of every watched folder, written by its source and read by anyone.</summary>
internal sealed class MailboxStatusBoard
{
    private readonly ConcurrentDictionary<FolderKey, FolderStatus> _folders = new();

    public IReadOnlyList<FolderStatus> Snapshot() =>
        [.. _folders.Values.OrderBy(s => s.Folder.Mailbox, StringComparer.Ordinal).ThenBy(s => s.Folder.Folder, StringComparer.Ordinal)];

    public FolderStatus? Get(FolderKey folder) => _folders.GetValueOrDefault(folder);

    public void Update(FolderKey folder, Func<FolderStatus, FolderStatus> change) =>
        _folders.AddOrUpdate(
            folder,
            key => change(new FolderStatus(key, FolderState.Starting, false, 0, null, null, null)),
            (_, current) => change(current));

    /// <summary>Forgets folders: a mailbox removed, or folders no longer watched.</summary>
    public void Remove(Func<FolderKey, bool> which)
    {
        foreach (var folder in _folders.Keys.Where(which))
        {
            _folders.TryRemove(folder, out _);
        }
    }
}
