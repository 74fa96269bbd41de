using EmailMonitor.Storage;

namespace EmailMonitor.Pipeline;

/// <summary>
/// A source's side of the ordering invariant of <see cref="SourceCheckpoint"/>: numbers its
/// emails one after another within the generation it read from Storage.
/// </summary>
internal sealed class CheckpointNumbering(FolderKey source, StoredPosition stored, long fence)
{
    private long _sequence = stored.Sequence;

    public long Generation { get; } = stored.Generation;

    /// <summary>The checkpoint of the next email; it counts once <see cref="HandedOver"/> says the email is on its way.</summary>
    public SourceCheckpoint Next(ISourcePosition position) => new(source, Generation, _sequence + 1, position, fence);

    public void HandedOver(SourceCheckpoint checkpoint) => _sequence = checkpoint.Sequence;
}
