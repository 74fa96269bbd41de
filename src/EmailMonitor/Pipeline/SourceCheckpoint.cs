namespace EmailMonitor.Pipeline;

/// <summary>
/// Where a source stands after handing over one email, committed by Storage in the same
/// transaction as that email's event. Storage never looks inside <see cref="Position"/>.
/// </summary>
/// <remarks>
/// <para>The ordering invariant the checkpoint relies on: a source numbers the emails it hands
/// over 1, 2, 3 … (<see cref="Sequence"/>) within one <see cref="Generation"/>, each position
/// covers every email before it, and the pipeline commits one source's emails in that order.
/// Committing email n's position therefore says emails 1…n are stored, so a crash after it
/// re-fetches nothing that was done and skips nothing that was not.</para>
/// <para>Storage checks the invariant instead of trusting it: a position is advanced only to the
/// next number after the stored one. A pipeline that ever commits out of order (parallel
/// analysis finishing email 5 before email 4) leaves the checkpoint at the last unbroken email and
/// logs an error; the events are still stored, and a restart re-fetches what the checkpoint does
/// not cover (duplicates are dropped by message id). Nothing is lost, nothing is silent.</para>
/// <para><see cref="Generation"/> changes when a source restarts its numbering (a new UIDVALIDITY,
/// a mailbox pointed elsewhere, removed or added again; its row is never deleted, so generations
/// only grow): emails handed over under an older generation never move the checkpoint.</para>
/// <para><see cref="Fence"/> is the token of the mailbox lease the source ran under (0 where one
/// instance owns every mailbox). Storage commits an email only while that lease is still the
/// current one, so an owner that stalled past its lease, and was replaced, commits nothing.</para>
/// </remarks>
internal sealed record SourceCheckpoint(FolderKey Source, long Generation, long Sequence, ISourcePosition Position, long Fence = 0);

/// <summary>A source's own, opaque record of how far it has read.</summary>
internal interface ISourcePosition
{
    /// <summary>The position as the source will read it back after a restart. Called only when committed.</summary>
    string Serialize();
}
