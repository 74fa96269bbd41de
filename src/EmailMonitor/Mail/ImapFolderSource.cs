using System.Threading.Channels;
using EmailMonitor.Storage;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;

namespace EmailMonitor.Mail;

/// <summary>
/// Watches one IMAP folder over its own connection: catches up from the checkpoint, then IDLEs
/// (or polls where IDLE is missing), fetching what arrived in UID batches; reconnects after any
/// failure with backoff. It is the folder's only owner, so its position needs no locking.
/// </summary>
internal sealed class ImapFolderSource : IMailSource
{
    private readonly MailboxDefinition _mailbox;
    private readonly MailOptions _options;
    private readonly ChannelWriter<RawEmail> _output;
    private readonly EventStore _store;
    private readonly MailboxStatusBoard _board;
    private readonly MailProtocolLogs _protocolLogs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ReconnectBackoff _backoff;

    // The highest UID handed to analysis; ahead of the stored checkpoint while emails are in flight.
    private FolderCheckpoint? _position;
    private int _arrived;
    private CancellationTokenSource? _idleDone;

    // The message a failed fetch stopped at, and how many sessions in a row failed on it.
    private (uint Uid, int Failures) _stuck;

    public ImapFolderSource(
        MailboxDefinition mailbox,
        string folder,
        MailOptions options,
        ChannelWriter<RawEmail> output,
        EventStore store,
        MailboxStatusBoard board,
        MailProtocolLogs protocolLogs,
        TimeProvider time,
        ILogger logger)
    {
        _mailbox = mailbox;
        _options = options;
        _output = output;
        _store = store;
        _board = board;
        _protocolLogs = protocolLogs;
        _time = time;
        _logger = logger;
        _backoff = new ReconnectBackoff(options.ReconnectInitialDelay, options.ReconnectMaxDelay, options.HealthySessionLength, Random.Shared);
        Folder = new FolderKey(mailbox.Name, folder);
        _board.Update(Folder, s => s);
    }

    public FolderKey Folder { get; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var startedAt = _time.GetTimestamp();
            try
            {
                await RunSessionAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                var error = Describe(ex);
                _board.Update(Folder, s => s with { State = FolderState.Reconnecting, LastError = error });
                _logger.FolderSessionFailed(Folder, error, ex is MailConnectException ? null : ex);
            }

            var delay = _backoff.NextDelay(_time.GetElapsedTime(startedAt));
            _board.Update(Folder, s => s with { State = FolderState.Reconnecting, NextAttemptAt = _time.GetUtcNow() + delay });
            _logger.Reconnecting(Folder, delay.TotalSeconds);
            try
            {
                await Task.Delay(delay, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        _board.Update(Folder, s => s with { State = FolderState.Stopped, NextAttemptAt = null });
    }

    private async Task RunSessionAsync(CancellationToken cancellationToken)
    {
        _board.Update(Folder, s => s with { State = FolderState.Connecting, NextAttemptAt = null });
        using var client = await ImapConnector.ConnectAsync(_mailbox, _protocolLogs.Create(Folder), _options.CommandTimeout, null, cancellationToken);
        try
        {
            var folder = await ImapConnector.OpenFolderAsync(client, Folder.Folder, cancellationToken);
            folder.CountChanged += OnCountChanged;
            folder.UidValidityChanged += OnUidValidityChanged;
            await SyncPositionAsync(folder, cancellationToken);

            var idle = client.Capabilities.HasFlag(ImapCapabilities.Idle);
            _board.Update(Folder, s => s with
            {
                State = FolderState.Watching,
                IdleSupported = idle,
                LastError = null,
                LastConnectedAt = _time.GetUtcNow(),
                LastUid = _position!.LastUid,
            });
            _logger.Watching(Folder, idle ? "IDLE" : "polling", _position!.LastUid);

            await CatchUpAsync(folder, cancellationToken);
            var nextResync = _time.GetUtcNow() + _options.CheckInterval;
            while (true)
            {
                var arrived = idle
                    ? await IdleAsync(client, cancellationToken)
                    : await PollAsync(client, cancellationToken);

                // The periodic re-sync catches mail whose notification was lost. It opens the folder
                // again first: a server may keep a session on a folder that was deleted and
                // re-created (Dovecot answers IDLE with "NO Internal error" and nothing more), and
                // only a fresh EXAMINE shows the new UIDVALIDITY or that the folder is gone.
                var resync = _time.GetUtcNow() >= nextResync;
                if (resync)
                {
                    await folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
                    nextResync = _time.GetUtcNow() + _options.CheckInterval;
                }

                if (arrived || resync)
                {
                    await CatchUpAsync(folder, cancellationToken);
                }
            }
        }
        finally
        {
            await DisconnectQuietlyAsync(client);
        }
    }

    private async Task SyncPositionAsync(IMailFolder folder, CancellationToken cancellationToken)
    {
        _position ??= await _store.GetCheckpointAsync(Folder, cancellationToken);
        if (_position is not null && _position.UidValidity == folder.UidValidity)
        {
            return;
        }

        if (_position is not null)
        {
            _logger.UidValidityChanged(Folder, _position.UidValidity, folder.UidValidity);
        }

        // First start (or renumbered folder): begin at "now"; existing mail is not replayed.
        var start = new FolderCheckpoint(folder.UidValidity, await GetLastExistingUidAsync(folder, cancellationToken));
        await _store.ResetCheckpointAsync(Folder, start, cancellationToken);
        _position = start;
        _logger.StartingAtNow(Folder, start.LastUid);
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

    private async Task CatchUpAsync(IMailFolder folder, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _arrived, 0);
        if (folder.UidValidity != _position!.UidValidity)
        {
            await SyncPositionAsync(folder, cancellationToken);
        }

        var position = _position!;
        var first = position.LastUid + 1;
        var range = new UniqueIdRange(new UniqueId(position.UidValidity, first), UniqueId.MaxValue);
        // "UID n:*" also matches the highest UID when it is below n (RFC 3501 §6.4.8), hence the filter.
        var found = await folder.SearchAsync(SearchQuery.Uids(range), cancellationToken);
        var pending = found.Where(uid => uid.Id >= first).OrderBy(uid => uid.Id).ToList();
        if (pending.Count == 0)
        {
            return;
        }

        _logger.Fetching(Folder, pending.Count, pending[0].Id, pending[^1].Id);
        foreach (var batch in pending.Chunk(_options.FetchBatchSize))
        {
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

        if (_stuck.Uid == next.Id && _stuck.Failures >= _options.MaxFetchAttempts)
        {
            // The server cannot deliver this message (Dovecot answers an unreadable file with BYE):
            // record it as an empty, malformed event and move on rather than stall the folder.
            _logger.GivingUpOnMessage(Folder, next.Id, _stuck.Failures);
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
            if (failedAt.IsValid)
            {
                _stuck = _stuck.Uid == failedAt.Id ? (failedAt.Id, _stuck.Failures + 1) : (failedAt.Id, 1);
            }

            throw;
        }
    }

    private async Task HandOverAsync(ImapFolder folder, int index, UniqueId uid, Stream stream, CancellationToken cancellationToken)
    {
        var content = await RawContent.CopyFromAsync(stream, stream.CanSeek ? stream.Length : -1, cancellationToken);
        var email = new RawEmail(Folder, _position!.UidValidity, uid.Id, content, _time.GetUtcNow());
        try
        {
            await _output.WriteAsync(email, cancellationToken);
        }
        catch
        {
            content.Dispose();
            throw;
        }

        if (uid.Id == _stuck.Uid)
        {
            _stuck = default;
        }

        if (uid.Id > _position.LastUid)
        {
            _position = _position with { LastUid = uid.Id };
            _board.Update(Folder, s => s with { LastUid = uid.Id });
        }
    }

    private async Task<bool> IdleAsync(ImapClient client, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _arrived, 0) == 1)
        {
            return true;
        }

        using var done = new CancellationTokenSource(_options.IdleRenewInterval, _time);
        using var watchdog = new CancellationTokenSource(_options.IdleRenewInterval + _options.CommandTimeout, _time);
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, watchdog.Token);
        Volatile.Write(ref _idleDone, done);
        try
        {
            await client.IdleAsync(done.Token, abort.Token);
        }
        catch (OperationCanceledException) when (watchdog.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the server did not end IDLE within {_options.CommandTimeout.TotalSeconds:0} s of DONE; the connection is dead");
        }
        finally
        {
            Volatile.Write(ref _idleDone, null);
        }

        return Interlocked.Exchange(ref _arrived, 0) == 1;
    }

    private async Task<bool> PollAsync(ImapClient client, CancellationToken cancellationToken)
    {
        await Task.Delay(_options.CheckInterval, _time, cancellationToken);
        await client.NoOpAsync(cancellationToken);
        return true;
    }

    private void OnCountChanged(object? sender, EventArgs e)
    {
        Interlocked.Exchange(ref _arrived, 1);
        // Raised while IDLE reads the server's EXISTS: end this IDLE now to fetch at once.
        try
        {
            Volatile.Read(ref _idleDone)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The IDLE already ended; the flag alone triggers the fetch.
        }
    }

    // Catching up compares UIDVALIDITY first and resets the checkpoint when it changed.
    private void OnUidValidityChanged(object? sender, EventArgs e) => OnCountChanged(sender, e);

    private async Task DisconnectQuietlyAsync(ImapClient client)
    {
        if (!client.IsConnected)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), _time);
        try
        {
            await client.DisconnectAsync(quit: true, timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The session is being discarded; a failed LOGOUT changes nothing.
        }
    }

    private static string Describe(Exception ex) => ex switch
    {
        MailConnectException connect => $"{MailConnectException.Describe(connect.Step)}: {connect.Message}",
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };
}
