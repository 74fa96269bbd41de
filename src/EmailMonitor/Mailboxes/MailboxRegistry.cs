using System.Threading.Channels;
using EmailMonitor.Mail;
using EmailMonitor.Pipeline;
using EmailMonitor.Storage;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Mailboxes;

/// <summary>
/// Every mailbox and its own lifetime: the default one from the <c>EMAIL_*</c> variables and those
/// administrators stored. Adding, changing, pausing or removing one starts or stops only its own
/// sources; the others never notice. Changes are applied one at a time, database first, so what
/// runs always matches what is stored. When the service stops, every source stops and the queue
/// into analysis is closed.
/// </summary>
/// <remarks>
/// On a database several instances share, a mailbox is watched only by the instance holding its
/// lease (<see cref="Cluster.LeaseKeeper"/> hands them out with <see cref="OwnAsync"/> and
/// <see cref="DisownAsync"/>); on SQLite this instance owns them all.
/// </remarks>
internal sealed class MailboxRegistry(
    IOptions<MailOptions> options,
    MailboxStore store,
    EventStore events,
    Database database,
    MailSourceFactory sources,
    MailboxStatusBoard board,
    ChannelWriter<IncomingEmail> output,
    ILogger<MailboxRegistry> logger) : BackgroundService
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, Entry> _mailboxes = new(StringComparer.Ordinal);

    // Mailbox → token of the lease this instance holds on it; unused without leases.
    private readonly Dictionary<string, long> _owned = new(StringComparer.Ordinal);
    private CancellationToken _stopping;

    /// <summary>Every mailbox, the default first, then by name.</summary>
    public IReadOnlyList<MailboxDefinition> List()
    {
        lock (_mailboxes)
        {
            return [.. _mailboxes.Values.Select(e => e.Definition)
                .OrderBy(m => m.Name != MailboxDefinition.DefaultName)
                .ThenBy(m => m.Name, StringComparer.Ordinal)];
        }
    }

    /// <summary>Whether mailboxes are handed out by leases (a shared database) rather than all watched here.</summary>
    public bool Leased => database.Path is null;

    /// <summary>The mailboxes this instance watches now, with their lease tokens.</summary>
    public IReadOnlyDictionary<string, long> Owned()
    {
        lock (_mailboxes)
        {
            return new Dictionary<string, long>(_owned, StringComparer.Ordinal);
        }
    }

    /// <summary>Starts watching a mailbox under the lease <paramref name="fence"/> this instance just took.</summary>
    public async Task OwnAsync(string name, long fence, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await StopAsync(name);
            lock (_mailboxes)
            {
                _owned[name] = fence;
            }

            if (Find(name) is { } mailbox)
            {
                Start(mailbox);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops watching a mailbox whose lease this instance lost or gives up; returns once its sources have stopped.</summary>
    public async Task DisownAsync(string name, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            lock (_mailboxes)
            {
                _owned.Remove(name);
            }

            await StopAsync(name);
            if (Find(name) is { } mailbox)
            {
                Start(mailbox);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Brings what runs here in line with what is stored, for changes another instance made:
    /// mailboxes added, removed, changed or paused there. Each one that differs restarts alone.
    /// </summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_stopping.CanBeCanceled)
            {
                return;
            }

            // Read under the gate, so no change of this instance's lands between the read and the comparison.
            var defaultMailbox = options.Value.ToDefaultMailbox() with { Paused = await store.IsPausedAsync(MailboxDefinition.DefaultName, cancellationToken) };
            var stored = new Dictionary<string, MailboxDefinition>(StringComparer.Ordinal) { [defaultMailbox.Name] = defaultMailbox };
            foreach (var mailbox in await store.ListAsync(cancellationToken))
            {
                stored[mailbox.Name] = mailbox;
            }

            foreach (var (name, mailbox) in stored)
            {
                var running = Find(name);
                if (running is null || MailboxStore.Fingerprint(running) != MailboxStore.Fingerprint(mailbox))
                {
                    await StopAsync(name);
                    if (running is not null && !SameAccount(running, mailbox))
                    {
                        board.Remove(folder => folder.Mailbox == name);
                    }

                    board.Remove(folder => folder.Mailbox == name && !mailbox.WatchedFolders.Contains(folder.Folder));
                    Start(mailbox);
                }
            }

            foreach (var name in List().Select(m => m.Name).Where(name => !stored.ContainsKey(name)).ToList())
            {
                await StopAsync(name);
                lock (_mailboxes)
                {
                    _mailboxes.Remove(name);
                }

                board.Remove(folder => folder.Mailbox == name);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public MailboxDefinition? Find(string name)
    {
        lock (_mailboxes)
        {
            return _mailboxes.GetValueOrDefault(name)?.Definition;
        }
    }

    /// <summary>
    /// How a mailbox logs in right now: the one login its sources share (a paused mailbox keeps
    /// one too), so a test never refreshes an OAuth2 token beside them and spends the refresh
    /// token they hold.
    /// </summary>
    public MailLogin? LoginFor(string name)
    {
        lock (_mailboxes)
        {
            return _mailboxes.GetValueOrDefault(name)?.Login;
        }
    }

    /// <summary>Stores and starts a new mailbox; false when the name is taken.</summary>
    public async Task<bool> AddAsync(MailboxDefinition mailbox, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Find(mailbox.Name) is not null)
            {
                return false;
            }

            // Forgotten first: whatever a removed mailbox of the same name had read means nothing
            // now, and a crash between the two writes leaves nothing half-added.
            await events.ForgetPositionsAsync(mailbox.Name, cancellationToken);
            if (!await store.InsertAsync(mailbox, CancellationToken.None))
            {
                return false;
            }

            Start(mailbox);
            logger.MailboxAdded(mailbox.Name, mailbox.ToString());
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Works out a mailbox's new settings from its current ones with <paramref name="change"/>
    /// (null: refused; nothing happens), stores them and restarts only that mailbox's sources.
    /// A mailbox pointed at another server, account or protocol starts afresh there ("now"),
    /// since positions on the old one mean nothing on the new. Returns the mailbox as changed,
    /// or null when there is none of that name or the change was refused.
    /// </summary>
    public async Task<MailboxDefinition?> ChangeAsync(string name, Func<MailboxDefinition, MailboxDefinition?> change, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Worked out under the gate, so two changes at once never undo each other.
            if (Find(name) is not { } before || change(before) is not { } mailbox)
            {
                return null;
            }

            // Stopped first, so no refresh is under way while the credential is settled; from here
            // on nothing is cancelled, so the mailbox always ends running with what is stored.
            await StopAsync(name);
            var current = Find(name)!;
            if (mailbox.Credential is OAuth2Credential changed && before.Credential is OAuth2Credential old
                && current.Credential is OAuth2Credential latest && changed.RefreshToken == old.RefreshToken)
            {
                mailbox = mailbox with { Credential = changed with { RefreshToken = latest.RefreshToken } };
            }

            try
            {
                if (!SameAccount(current, mailbox))
                {
                    await events.ForgetPositionsAsync(name, CancellationToken.None);
                    board.Remove(folder => folder.Mailbox == name);
                }

                await store.UpdateAsync(mailbox, CancellationToken.None);
            }
            catch
            {
                Start(current);
                throw;
            }

            board.Remove(folder => folder.Mailbox == name && !mailbox.WatchedFolders.Contains(folder.Folder));
            Start(mailbox);
            logger.MailboxChanged(name, mailbox.ToString(), mailbox.Paused);
            return mailbox;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops watching a mailbox and forgets it; its stored events stay.</summary>
    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Find(name) is null || name == MailboxDefinition.DefaultName)
            {
                return false;
            }

            await StopAsync(name);
            try
            {
                await store.DeleteAsync(name, CancellationToken.None);
                await events.ForgetPositionsAsync(name, CancellationToken.None);
            }
            catch
            {
                Start(Find(name)!);
                throw;
            }

            lock (_mailboxes)
            {
                _mailboxes.Remove(name);
            }

            board.Remove(folder => folder.Mailbox == name);
            logger.MailboxRemoved(name);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _gate.WaitAsync(stoppingToken);
        try
        {
            _stopping = stoppingToken;
            var defaultMailbox = options.Value.ToDefaultMailbox() with
            {
                Paused = await store.IsPausedAsync(MailboxDefinition.DefaultName, stoppingToken),
            };
            foreach (var mailbox in (IEnumerable<MailboxDefinition>)[defaultMailbox, .. await store.ListAsync(stoppingToken)])
            {
                Start(mailbox);
            }

        }
        finally
        {
            _gate.Release();
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping: below, every source ends before the queue closes.
        }
        finally
        {
            await _gate.WaitAsync(CancellationToken.None);
            try
            {
                foreach (var name in _mailboxes.Keys.ToList())
                {
                    await StopAsync(name);
                }
            }
            finally
            {
                _gate.Release();
                output.TryComplete();
            }
        }
    }

    // Before the registry has loaded (a request racing start-up) a mailbox is only recorded;
    // loading starts it with the rest.
    private void Start(MailboxDefinition mailbox)
    {
        Watch? watch = null;
        var login = NewLogin(mailbox);
        if (mailbox.Paused)
        {
            foreach (var folder in mailbox.WatchedFolders)
            {
                board.Update(new FolderKey(mailbox.Name, folder), s => s with { State = FolderState.Paused, NextAttemptAt = null });
            }
        }
        else if (mailbox.Credential is UnreadableCredential)
        {
            // Nothing to log in with: no session is opened until the credentials are set again.
            foreach (var folder in mailbox.WatchedFolders)
            {
                board.Update(new FolderKey(mailbox.Name, folder), s => s with
                {
                    State = FolderState.AuthFailed,
                    LastError = "the stored credentials cannot be decrypted (CREDENTIALS_KEY is not the key they were saved with, or the row was altered); set them again",
                    NextAttemptAt = null,
                });
            }
        }
        else if (Leased && !_owned.ContainsKey(mailbox.Name))
        {
            foreach (var folder in mailbox.WatchedFolders)
            {
                board.Update(new FolderKey(mailbox.Name, folder), s => s with { State = FolderState.Elsewhere, NextAttemptAt = null });
            }
        }
        else if (_stopping.CanBeCanceled)
        {
            var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
            var running = sources.Create(login, _owned.GetValueOrDefault(mailbox.Name));
            watch = new Watch(cancellation, Task.WhenAll(running.Select(source => Task.Run(() => source.RunAsync(cancellation.Token), CancellationToken.None))));
        }

        lock (_mailboxes)
        {
            _mailboxes[mailbox.Name] = new Entry(mailbox, login, watch);
        }
    }

    private MailLogin NewLogin(MailboxDefinition mailbox) =>
        sources.Login(mailbox, (before, after, token) => SaveRotatedAsync(mailbox.Name, before, after, token));

    // Called by a login's token source (never under the gate). Only a rotation of the credential
    // the mailbox still has is stored: a login left over from before a change (a test still
    // running, a source stopping) never writes its old credential over the new one.
    private async Task SaveRotatedAsync(string name, OAuth2Credential before, OAuth2Credential credential, CancellationToken cancellationToken)
    {
        MailboxDefinition? mailbox;
        lock (_mailboxes)
        {
            if (_mailboxes.GetValueOrDefault(name) is not { Definition.Credential: OAuth2Credential current } entry
                || current.RefreshToken != before.RefreshToken || current.TokenUrl != before.TokenUrl || current.ClientId != before.ClientId)
            {
                return;
            }

            mailbox = entry.Definition with { Credential = credential };
        }

        // Stored first, then held: a SyncAsync between the two sees the new token stored and restarts
        // with it, where the other order could restart the mailbox with the token just spent.
        await store.SaveCredentialAsync(mailbox, cancellationToken);
        lock (_mailboxes)
        {
            if (_mailboxes.GetValueOrDefault(name) is { Definition.Credential: OAuth2Credential current } entry && current.RefreshToken == before.RefreshToken)
            {
                _mailboxes[name] = entry with { Definition = entry.Definition with { Credential = credential } };
            }
        }
    }

    private async Task StopAsync(string name)
    {
        Watch? watch;
        lock (_mailboxes)
        {
            if (_mailboxes.GetValueOrDefault(name) is not { Watch: { } running } entry)
            {
                return;
            }

            watch = running;
            _mailboxes[name] = entry with { Watch = null };
        }

        await watch.Cancellation.CancelAsync();
        try
        {
            await watch.Running;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.SourceStopFailed(name, ex);
        }
        finally
        {
            watch.Cancellation.Dispose();
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    private static bool SameAccount(MailboxDefinition before, MailboxDefinition after) =>
        before.Protocol == after.Protocol
        && string.Equals(before.Server, after.Server, StringComparison.OrdinalIgnoreCase)
        && before.Port == after.Port
        && string.Equals(before.Username, after.Username, StringComparison.Ordinal);

    private sealed record Entry(MailboxDefinition Definition, MailLogin Login, Watch? Watch);

    private sealed record Watch(CancellationTokenSource Cancellation, Task Running);
}
