using System.Collections.Concurrent;
using MailKit;
using MailKit.Net.Imap;

namespace EmailMonitor.Mail;

/// <summary>
/// Watches several folders of one IMAP mailbox over as few connections as the server allows.
/// Where it offers NOTIFY (RFC 5465) and IDLE, all folders share one connection: the first folder
/// stays selected and IDLEs, the server announces new mail in the others with STATUS, and each
/// folder with news is opened in turn, caught up, and the IDLE resumes. Without NOTIFY, each
/// folder gets its own IDLE connection up to <see cref="MailOptions.MaxConnectionsPerMailbox"/>,
/// and the folders beyond share one connection that catches each up every check interval.
/// </summary>
internal sealed class ImapMailboxSource : IMailSource
{
    private readonly MailLogin _login;
    private readonly IReadOnlyList<string> _folders;
    private readonly bool _pollOnly;
    private readonly MailOptions _options;
    private readonly MailSourceParts _parts;
    private readonly ILogger _logger;
    private readonly ReconnectBackoff _backoff;
    private readonly ImapIdler _idler;
    private readonly Dictionary<string, ImapFolderFetcher> _fetchers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _news = new(StringComparer.Ordinal);

    // Set while this source opens folders itself: selecting one closes another, and MailKit then
    // reports counts and UIDs changing that are no news at all (announcing them looped forever).
    private volatile bool _switching;

    // Per folder, the UIDNEXT and UIDVALIDITY it had when last caught up: what a switch reports
    // beyond these is news; what it merely repeats (a UID left behind by mail expunged before it
    // was fetched, say) is not, or a switch would announce it again forever.
    private readonly ConcurrentDictionary<string, (uint UidNext, uint UidValidity)> _caughtUp = new(StringComparer.Ordinal);

    /// <param name="login">The mailbox and how it logs in.</param>
    /// <param name="folders">The folders this source watches.</param>
    /// <param name="pollOnly">Share one connection by catching up every check interval (the folders
    /// beyond the connection budget of a server without NOTIFY), without trying NOTIFY.</param>
    /// <param name="options">How sessions behave.</param>
    /// <param name="parts">What sources are made of.</param>
    public ImapMailboxSource(MailLogin login, IReadOnlyList<string> folders, bool pollOnly, MailOptions options, MailSourceParts parts)
    {
        _login = login;
        _folders = folders;
        _pollOnly = pollOnly;
        _options = options;
        _parts = parts;
        _logger = parts.LoggerFactory.CreateLogger<ImapMailboxSource>();
        _backoff = ReconnectBackoff.For(options, parts.Time);
        _idler = new ImapIdler(options, parts.Time);
        foreach (var folder in folders)
        {
            var key = Key(folder);
            _fetchers[folder] = new ImapFolderFetcher(key, options, parts.Output, parts.Store, parts.Fence, parts.Board, parts.Time, parts.Tracing, _logger);
            parts.Board.Update(key, s => s);
        }
    }

    private MailboxDefinition Mailbox => _login.Mailbox;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var shared = true;
        while (!cancellationToken.IsCancellationRequested && shared)
        {
            var refused = false;
            var authFailed = false;
            try
            {
                shared = await RunSessionAsync(cancellationToken);
                if (!shared)
                {
                    break;
                }
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
                UpdateAll(s => s with { State = authFailed ? FolderState.AuthFailed : FolderState.Reconnecting, LastError = error });
                _logger.FolderSessionFailed(Key(_folders[0]), error, ex is MailConnectException ? null : ex);
            }

            var delay = _backoff.NextDelay(refused);
            UpdateAll(s => s with { State = authFailed ? FolderState.AuthFailed : FolderState.Reconnecting, NextAttemptAt = _parts.Time.GetUtcNow() + delay });
            try
            {
                await Task.Delay(delay, _parts.Time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        if (!shared && !cancellationToken.IsCancellationRequested)
        {
            await RunWithoutNotifyAsync(cancellationToken);
        }

        UpdateAll(s => s with { State = FolderState.Stopped, NextAttemptAt = null });
    }

    // Without NOTIFY: one IDLE connection per folder within the budget, the rest polled on one more.
    private Task RunWithoutNotifyAsync(CancellationToken cancellationToken)
    {
        var budget = Math.Max(1, _options.MaxConnectionsPerMailbox);
        var own = _folders.Count <= budget ? _folders : _folders.Take(budget - 1).ToList();
        var polled = _folders.Skip(own.Count).ToList();
        _logger.WatchingWithoutNotify(Mailbox.Name, own.Count, polled.Count);
        var sources = own.Select(folder => (IMailSource)new ImapFolderSource(_login, folder, _options, _parts)).ToList();
        if (polled.Count > 0)
        {
            sources.Add(new ImapMailboxSource(_login, polled, pollOnly: true, _options, _parts));
        }

        return Task.WhenAll(sources.Select(source => source.RunAsync(cancellationToken)));
    }

    /// <summary>One session; false when the server lacks NOTIFY and this source should not share a connection.</summary>
    private async Task<bool> RunSessionAsync(CancellationToken cancellationToken)
    {
        UpdateAll(s => s with { State = s.State == FolderState.AuthFailed ? s.State : FolderState.Connecting, NextAttemptAt = null });
        await _login.PrepareAsync(cancellationToken);
        using var client = await _parts.ConnectGate.RunAsync(
            () => MailConnector.ConnectImapAsync(_login, _parts.ProtocolLogs.Create(Key(_folders[0])), _options.CommandTimeout, null, cancellationToken), cancellationToken);
        try
        {
            var push = !_pollOnly && client.Capabilities.HasFlag(ImapCapabilities.Notify) && client.Capabilities.HasFlag(ImapCapabilities.Idle);
            if (!_pollOnly && !push)
            {
                return false;
            }

            var open = await OpenAsync(client, _folders, cancellationToken);
            if (open.Count == 0)
            {
                throw new MailConnectException(ConnectStep.Folder, $"none of the folders {string.Join(", ", _folders)} can be opened");
            }

            if (push && !await NotifyAsync(client, open, cancellationToken))
            {
                // Offered but refused (NO/BAD): this server gets a connection per folder instead.
                return false;
            }

            // Mail that arrived between a folder's catch-up and the NOTIFY is fetched in a first round.
            foreach (var (name, _) in open)
            {
                _news[name] = true;
            }

            _idler.Wake();

            var connectedAt = _parts.Time.GetUtcNow();
            foreach (var (name, _) in open)
            {
                _parts.Board.Update(Key(name), s => s with
                {
                    State = FolderState.Watching,
                    IdleSupported = push,
                    LastError = null,
                    LastConnectedAt = connectedAt,
                    LastUid = _fetchers[name].LastUid,
                });
            }

            _logger.WatchingShared(Mailbox.Name, open.Count, push ? "NOTIFY and IDLE" : "polling");
            _backoff.SessionEstablished();
            await WatchAsync(client, open, push, cancellationToken);
            return true;
        }
        finally
        {
            await MailConnector.DisconnectQuietlyAsync(client, _parts.Time);
        }
    }

    // Selects the home folder (the first open one) and asks for news of the others.
    private async Task<bool> NotifyAsync(ImapClient client, List<(string Name, IMailFolder Folder)> open, CancellationToken cancellationToken)
    {
        await SwitchToAsync(open[0].Folder, cancellationToken);
        try
        {
            await client.NotifyAsync(
                status: false,
                [
                    new ImapEventGroup(ImapMailboxFilter.Selected, new ImapEvent.MessageNew(), ImapEvent.MessageExpunge),
                    .. open.Count > 1
                        ? [new ImapEventGroup(new ImapMailboxFilter.Mailboxes([.. open.Skip(1).Select(f => f.Folder)]), new ImapEvent.MessageNew(), ImapEvent.MessageExpunge)]
                        : Array.Empty<ImapEventGroup>(),
                ],
                cancellationToken);
            return true;
        }
        catch (ImapCommandException ex)
        {
            _logger.NotifyRefused(Mailbox.Name, ex.Message);
            return false;
        }
    }

    // Opens and catches up each of the folders; one that cannot be opened is reported and left out
    // (the others go on), and tried again at every re-sync.
    private async Task<List<(string Name, IMailFolder Folder)>> OpenAsync(ImapClient client, IEnumerable<string> folders, CancellationToken cancellationToken)
    {
        var open = new List<(string, IMailFolder)>();
        foreach (var name in folders)
        {
            IMailFolder folder;
            _switching = true;
            try
            {
                folder = await MailConnector.OpenImapFolderAsync(client, name, cancellationToken);
            }
            catch (MailConnectException ex) when (ex.Step == ConnectStep.Folder)
            {
                _parts.Board.Update(Key(name), s => s with { State = FolderState.Reconnecting, LastError = $"{MailConnectException.Describe(ex.Step)}: {ex.Message}" });
                continue;
            }
            finally
            {
                _switching = false;
            }

            folder.CountChanged += (_, _) => Announce(name, folder);
            folder.UidNextChanged += (_, _) => Announce(name, folder);
            folder.UidValidityChanged += (_, _) => Announce(name, folder);
            await _fetchers[name].SyncPositionAsync(folder, cancellationToken);
            await _fetchers[name].CatchUpAsync(folder, cancellationToken);
            CaughtUp(name, folder);
            open.Add((name, folder));
        }

        return open;
    }

    private async Task WatchAsync(ImapClient client, List<(string Name, IMailFolder Folder)> open, bool push, CancellationToken cancellationToken)
    {
        var home = open[0];
        var nextResync = _parts.Time.GetUtcNow() + Mailbox.CheckInterval;
        while (true)
        {
            if (push)
            {
                await _idler.IdleAsync(client, cancellationToken);
            }
            else
            {
                await Task.Delay(Mailbox.CheckInterval, _parts.Time, cancellationToken);
            }

            // Reset first: news announced while fetching triggers another round.
            _idler.Reset();
            var resync = !push || _parts.Time.GetUtcNow() >= nextResync;
            if (resync)
            {
                nextResync = _parts.Time.GetUtcNow() + Mailbox.CheckInterval;
            }

            var selectedAway = false;
            if (resync && open.Count < _folders.Count)
            {
                var found = await OpenAsync(client, _folders.Where(f => open.All(o => o.Name != f)).ToList(), cancellationToken);
                if (found.Count > 0)
                {
                    open.AddRange(found);
                    var connectedAt = _parts.Time.GetUtcNow();
                    foreach (var (name, _) in found)
                    {
                        _parts.Board.Update(Key(name), s => s with { State = FolderState.Watching, IdleSupported = push, LastError = null, LastConnectedAt = connectedAt });
                    }

                    // The NOTIFY now names them too; it selects the home folder again on its way.
                    if (push && !await NotifyAsync(client, open, cancellationToken))
                    {
                        throw new MailConnectException(ConnectStep.Folder, "the server refused NOTIFY for the folders found again");
                    }
                }
            }

            foreach (var (name, folder) in open)
            {
                if (!_news.TryRemove(name, out _) && !resync)
                {
                    continue;
                }

                // The selected folder needs no EXAMINE for news; anything else, and every folder at a
                // re-sync (a fresh EXAMINE shows a new UIDVALIDITY), is opened first.
                if (!push || resync || name != home.Name)
                {
                    await SwitchToAsync(folder, cancellationToken);
                    selectedAway |= name != home.Name;
                }

                await _fetchers[name].CatchUpAsync(folder, cancellationToken);
                CaughtUp(name, folder);
                _parts.Board.Update(Key(name), s => s with { LastUid = _fetchers[name].LastUid });
            }

            if (push && selectedAway)
            {
                // IDLE and NOTIFY's SELECTED events belong to the home folder.
                await SwitchToAsync(home.Folder, cancellationToken);
            }
        }
    }

    // While switching, only a UIDNEXT past the last catch-up's, or a new UIDVALIDITY, is news (a
    // STATUS the server sent meanwhile); outside a switch, whatever the server announces is.
    private void Announce(string name, IMailFolder folder)
    {
        if (_switching && _caughtUp.TryGetValue(name, out var known)
            && (folder.UidNext?.Id ?? 0) <= known.UidNext
            && (folder.UidValidity == 0 || folder.UidValidity == known.UidValidity))
        {
            return;
        }

        _news[name] = true;
        _idler.Wake();
    }

    private void CaughtUp(string name, IMailFolder folder) =>
        _caughtUp[name] = (Math.Max(folder.UidNext?.Id ?? 0, _fetchers[name].LastUid + 1), folder.UidValidity);

    private async Task SwitchToAsync(IMailFolder folder, CancellationToken cancellationToken)
    {
        _switching = true;
        try
        {
            await folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
        }
        finally
        {
            _switching = false;
        }
    }

    private void UpdateAll(Func<FolderStatus, FolderStatus> change)
    {
        foreach (var folder in _folders)
        {
            _parts.Board.Update(Key(folder), change);
        }
    }

    private Pipeline.FolderKey Key(string folder) => new(Mailbox.Name, folder);
}
