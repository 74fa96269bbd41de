using System.Threading.Channels;

namespace EmailMonitor.Storage;

/// <summary>
/// Tells the followers of the event log (<see cref="CommitLogReader"/>s) what was just committed,
/// here or, through a relay, on another instance. Each reader has its own queue and its own pace:
/// a slow one never holds up the writer or another reader, and one that falls behind catches up
/// from the database by its cursor.
/// </summary>
internal sealed class CommitLog
{
    // A reader's queue keeps the newest commits; one dropped is read back from the database, since
    // every commit says where the log ended before it.
    private const int QueuedCommitsPerReader = 256;

    private readonly Lock _gate = new();
    private Channel<CommittedEvents>[] _readers = [];

    public ChannelReader<CommittedEvents> Subscribe()
    {
        var channel = Channel.CreateBounded<CommittedEvents>(new BoundedChannelOptions(QueuedCommitsPerReader)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate)
        {
            _readers = [.. _readers, channel];
        }

        return channel.Reader;
    }

    public void Unsubscribe(ChannelReader<CommittedEvents> reader)
    {
        lock (_gate)
        {
            _readers = [.. _readers.Where(channel => channel.Reader != reader)];
        }
    }

    public void Announce(CommittedEvents committed)
    {
        // A commit that added nothing (every message a duplicate). Notices go to every reader,
        // which ignores those it is past already.
        if (!committed.IsNotice && committed.End <= committed.After)
        {
            return;
        }

        foreach (var reader in Volatile.Read(ref _readers))
        {
            reader.Writer.TryWrite(committed);
        }
    }
}
