using EmailMonitor.Pipeline;
using MailKit;
using MailKit.Net.Imap;

namespace EmailMonitor.Mail;

/// <summary>
/// Watches one IMAP folder over its own connection: catches up from the checkpoint, then IDLEs
/// (or polls where IDLE is missing), fetching what arrived in UID batches; reconnects after any
/// failure with backoff. It is the folder's only owner, so its position needs no locking.
/// </summary>
internal sealed class ImapFolderSource : IMailSource
{
    private readonly MailboxDefinition _mailbox;
    private readonly MailLogin _login;
    private readonly MailOptions _options;
    private readonly MailboxStatusBoard _board;
    private readonly MailProtocolLogs _protocolLogs;
    private readonly ConnectGate _connectGate;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ReconnectBackoff _backoff;

    private readonly ImapFolderFetcher _fetcher;
    private readonly ImapIdler _idler;

    public ImapFolderSource(MailLogin login, string folder, MailOptions options, MailSourceParts parts)
    {
        _login = login;
        _mailbox = login.Mailbox;
        _options = options;
        _board = parts.Board;
        _protocolLogs = parts.ProtocolLogs;
        _connectGate = parts.ConnectGate;
        _time = parts.Time;
        _logger = parts.LoggerFactory.CreateLogger<ImapFolderSource>();
        _backoff = ReconnectBackoff.For(options, _time);
        Folder = new FolderKey(_mailbox.Name, folder);
        _idler = new ImapIdler(options, _time);
        _fetcher = new ImapFolderFetcher(Folder, options, parts.Output, parts.Store, parts.Fence, _board, _time, parts.Tracing, _logger);
        _board.Update(Folder, s => s);
    }

    public FolderKey Folder { get; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var refused = false;
            var authFailed = false;
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
                var error = MailConnectException.Explain(ex);
                refused = ex is MailConnectException { Step: ConnectStep.Authentication or ConnectStep.Tls };
                authFailed = ex is MailConnectException { Step: ConnectStep.Authentication };
                _board.Update(Folder, s => s with { State = authFailed ? FolderState.AuthFailed : FolderState.Reconnecting, LastError = error });
                _logger.FolderSessionFailed(Folder, error, ex is MailConnectException ? null : ex);
            }

            var delay = _backoff.NextDelay(refused);
            _board.Update(Folder, s => s with { State = authFailed ? FolderState.AuthFailed : FolderState.Reconnecting, NextAttemptAt = _time.GetUtcNow() + delay });
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
        // A refused login stays the state until a login succeeds: that is what a person must fix.
        _board.Update(Folder, s => s with { State = s.State == FolderState.AuthFailed ? s.State : FolderState.Connecting, NextAttemptAt = null });
        await _login.PrepareAsync(cancellationToken);
        using var client = await _connectGate.RunAsync(
            () => MailConnector.ConnectImapAsync(_login, _protocolLogs.Create(Folder), _options.CommandTimeout, null, cancellationToken), cancellationToken);
        try
        {
            var folder = await MailConnector.OpenImapFolderAsync(client, Folder.Folder, cancellationToken);
            folder.CountChanged += OnCountChanged;
            folder.UidValidityChanged += OnUidValidityChanged;
            await _fetcher.SyncPositionAsync(folder, cancellationToken);

            var idle = client.Capabilities.HasFlag(ImapCapabilities.Idle);
            _board.Update(Folder, s => s with
            {
                State = FolderState.Watching,
                IdleSupported = idle,
                LastError = null,
                LastConnectedAt = _time.GetUtcNow(),
                LastUid = _fetcher.LastUid,
            });
            _logger.Watching(Folder, idle ? "IDLE" : "polling", _fetcher.LastUid);

            await CatchUpAsync(folder, cancellationToken);
            // Logged in, opened and caught up: a session that keeps failing its catch-up never counts as stable.
            _backoff.SessionEstablished();
            var nextResync = _time.GetUtcNow() + _mailbox.CheckInterval;
            while (true)
            {
                var arrived = idle
                    ? await _idler.IdleAsync(client, cancellationToken)
                    : await PollAsync(client, cancellationToken);

                // The periodic re-sync catches mail whose notification was lost. It opens the folder
                // again first: a server may keep a session on a folder that was deleted and
                // re-created (Dovecot answers IDLE with "NO Internal error" and nothing more), and
                // only a fresh EXAMINE shows the new UIDVALIDITY or that the folder is gone.
                var resync = _time.GetUtcNow() >= nextResync;
                if (resync)
                {
                    await folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
                    nextResync = _time.GetUtcNow() + _mailbox.CheckInterval;
                }

                if (arrived || resync)
                {
                    await CatchUpAsync(folder, cancellationToken);
                }
            }
        }
        finally
        {
            await MailConnector.DisconnectQuietlyAsync(client, _time);
        }
    }

    private Task CatchUpAsync(IMailFolder folder, CancellationToken cancellationToken)
    {
        // Reset first: a notification that arrives while fetching triggers another round.
        _idler.Reset();
        return _fetcher.CatchUpAsync(folder, cancellationToken);
    }

    private async Task<bool> PollAsync(ImapClient client, CancellationToken cancellationToken)
    {
        await Task.Delay(_mailbox.CheckInterval, _time, cancellationToken);
        await client.NoOpAsync(cancellationToken);
        return true;
    }

    // Raised while IDLE reads the server's EXISTS: end this IDLE now to fetch at once.
    private void OnCountChanged(object? sender, EventArgs e) => _idler.Wake();

    // Catching up compares UIDVALIDITY first and resets the checkpoint when it changed.
    private void OnUidValidityChanged(object? sender, EventArgs e) => OnCountChanged(sender, e);
}
