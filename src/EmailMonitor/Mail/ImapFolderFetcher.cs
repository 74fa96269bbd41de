using System.Globalization;
using System.Threading.Channels;
using EmailMonitor.Analysis;
using EmailMonitor.Observability;
using EmailMonitor.Pipeline;
using EmailMonitor.Storage;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;

namespace EmailMonitor.Mail;

/// <summary>
/// A folder's position and the fetching that moves it: from the checkpoint on, every message is
/// fetched in UID batches and handed to analysis in UID order. One message the server cannot
/// deliver is given up after a few sessions, so it never stalls the folder.
/// </summary>
internal sealed class ImapFolderFetcher(
    FolderKey key,
    MailOptions options,
    ChannelWriter<IncomingEmail> output,
    EventStore store,
    long fence,
    MailboxStatusBoard board,
    TimeProvider time,
    EmailTracing tracing,
    ILogger logger)
{
    // The highest UID handed to analysis; ahead of the stored checkpoint while emails are in flight.
    private ImapPosition? _position;
    private CheckpointNumbering? _numbering;

    // The message a failed fetch stopped at, and how many sessions in a row failed on it.
    private (uint Uid, int Failures) _stuck;

    // After a batch fails, the messages up to this UID are fetched one at a time: a failure is
    // then blamed on the one message that caused it, never on a readable neighbour that the
    // server had sent but the client had not yet handed over.
    private uint _fetchSinglyThrough;

    public uint LastUid => _position?.LastUid ?? 0;

    public async Task SyncPositionAsync(IMailFolder folder, CancellationToken cancellationToken)
    {
        if (_position is null && await store.GetPositionAsync(key, cancellationToken) is { } stored && ImapPosition.Parse(stored.Value) is { } read)
        {
            _position = read;
            _numbering = new CheckpointNumbering(key, stored, fence);
        }

        if (_position is not null && _position.UidValidity == folder.UidValidity)
        {
            return;
        }

        if (_position is not null)
        {
            logger.UidValidityChanged(key, _position.UidValidity, folder.UidValidity);
        }

        // First start (or renumbered folder): begin at "now"; existing mail is not replayed.
        var start = new ImapPosition(folder.UidValidity, await GetLastExistingUidAsync(folder, cancellationToken));
        _numbering = new CheckpointNumbering(key, await store.ResetPositionAsync(key, start.Serialize(), fence, cancellationToken), fence);
        _position = start;
        logger.StartingAtNow(key, start.LastUid);
    }

    private static async Task<uint> GetLastExistingUidAsync(IMailFolder folder, CancellationToken cancellationToken)
    {
        if (folder.UidNext is { } next)
        {
            return next.Id - 1;
        }

        var all = await folder.SearchAsync(SearchQuery.All, cancellationToken);
        return all.Count == 0 ? 0 : all.Max(uid => uid.Id);
    }

    public async Task CatchUpAsync(IMailFolder folder, CancellationToken cancellationToken)
    {
        if (folder.UidValidity != _position!.UidValidity)
        {
            await SyncPositionAsync(folder, cancellationToken);
        }

        var position = _position!;
        if (position.LastUid == uint.MaxValue)
        {
            // The last UID there can be: nothing can follow it under this UIDVALIDITY.
            return;
        }

        var first = position.LastUid + 1;
        var range = new UniqueIdRange(new UniqueId(position.UidValidity, first), UniqueId.MaxValue);
        // "UID n:*" also matches the highest UID when it is below n (RFC 3501 §6.4.8), hence the filter.
        var found = await folder.SearchAsync(SearchQuery.Uids(range), cancellationToken);
        var pending = found.Where(uid => uid.Id >= first).OrderBy(uid => uid.Id).ToList();
        if (pending.Count == 0)
        {
            return;
        }

        var singly = pending.TakeWhile(uid => uid.Id <= _fetchSinglyThrough).Select(uid => new[] { uid });
        var batched = pending.SkipWhile(uid => uid.Id <= _fetchSinglyThrough).Chunk(options.FetchBatchSize);
        foreach (var batch in singly.Concat(batched))
        {
            logger.Fetching(key, batch.Length, batch[0].Id, batch[^1].Id);
            await FetchBatchAsync((ImapFolder)folder, batch, cancellationToken);
        }
    }

    private async Task FetchBatchAsync(ImapFolder folder, UniqueId[] batch, CancellationToken cancellationToken)
    {
        var next = batch.FirstOrDefault(uid => uid.Id > _position!.LastUid);
        if (!next.IsValid)
        {
            return;
        }

        if (_stuck.Uid == next.Id && _stuck.Failures >= options.MaxFetchAttempts)
        {
            // The server cannot deliver this message (Dovecot answers an unreadable file with BYE):
            // record it as an empty, malformed event and move on rather than stall the folder.
            logger.GivingUpOnMessage(key, next.Id, _stuck.Failures);
            await HandOverAsync(folder, 0, next, Stream.Null, cancellationToken);
            _stuck = default;
            batch = [.. batch.Where(uid => uid.Id > next.Id)];
            if (batch.Length == 0)
            {
                return;
            }
        }

        try
        {
            await folder.GetStreamsAsync(batch, HandOverAsync, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var failedAt = batch.FirstOrDefault(uid => uid.Id > _position!.LastUid);
            if (batch.Length > 1)
            {
                _fetchSinglyThrough = Math.Max(_fetchSinglyThrough, batch[^1].Id);
            }
            else if (failedAt.IsValid)
            {
                _stuck = _stuck.Uid == failedAt.Id ? (failedAt.Id, _stuck.Failures + 1) : (failedAt.Id, 1);
            }

            throw;
        }
    }

    private async Task HandOverAsync(ImapFolder folder, int index, UniqueId uid, Stream stream, CancellationToken cancellationToken)
    {
        var origin = new EmailOrigin(MessageId(uid), key.Mailbox, key.Folder, time.GetUtcNow());
        // The span covers reading the message, not the wait for room in analysis's queue.
        RawContent content;
        var fetch = tracing.StartFetch(origin);
        try
        {
            content = await RawContent.CopyFromAsync(stream, stream.CanSeek ? stream.Length : -1, cancellationToken);
        }
        finally
        {
            fetch?.Dispose();
        }

        var position = uid.Id > _position!.LastUid ? _position with { LastUid = uid.Id } : _position;
        var checkpoint = _numbering!.Next(position);
        try
        {
            await output.WriteAsync(new IncomingEmail(origin, content, checkpoint) { Trace = fetch?.Context ?? default }, cancellationToken);
        }
        catch
        {
            content.Dispose();
            throw;
        }

        _numbering.HandedOver(checkpoint);

        if (uid.Id == _stuck.Uid)
        {
            _stuck = default;
        }

        if (position != _position)
        {
            _position = position;
            board.Update(key, s => s with { LastUid = uid.Id });
        }
    }

    /// <summary>
    /// The stable message id of CONTRACT §4: unique per mailbox, folder, UIDVALIDITY and UID.
    /// Mailbox names hold no ':' so the id reads back unambiguously from both ends.
    /// </summary>
    private string MessageId(UniqueId uid) =>
        string.Create(CultureInfo.InvariantCulture, $"{key.Mailbox}:{key.Folder}:{_position!.UidValidity}:{uid.Id}");
}
