using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using EmailMonitor.Analysis;
using EmailMonitor.Observability;
using EmailMonitor.Pipeline;
using EmailMonitor.Storage;
using MailKit.Net.Pop3;

namespace EmailMonitor.Mail;

/// <summary>
/// Watches a POP3 maildrop by polling: each poll is one short session that lists the UIDLs,
/// fetches the messages not seen before, in the server's order, and quits. It never deletes
/// (no DELE is ever sent), and it holds no session between polls, because a POP3 session locks
/// the maildrop against the user's own mail client.
/// </summary>
internal sealed class Pop3MailboxSource : IMailSource
{
    // RFC 1939 §7: 1 to 70 characters in the range 0x21 to 0x7E.
    private const int MaxUidlLength = 70;

    private readonly MailboxDefinition _mailbox;
    private readonly MailLogin _login;
    private readonly MailOptions _options;
    private readonly ChannelWriter<IncomingEmail> _output;
    private readonly EventStore _store;
    private readonly long _fence;
    private readonly MailboxStatusBoard _board;
    private readonly MailProtocolLogs _protocolLogs;
    private readonly ConnectGate _connectGate;
    private readonly TimeProvider _time;
    private readonly EmailTracing _tracing;
    private readonly ILogger _logger;
    private readonly ReconnectBackoff _backoff;

    private readonly string _accountTag;
    private Pop3Position? _position;
    private CheckpointNumbering? _numbering;

    // The message a failed fetch stopped at, and how many polls in a row failed on it.
    private (string Uidl, int Failures) _stuck;

    public Pop3MailboxSource(MailLogin login, MailOptions options, MailSourceParts parts)
    {
        _login = login;
        _mailbox = login.Mailbox;
        _options = options;
        _output = parts.Output;
        _store = parts.Store;
        _fence = parts.Fence;
        _board = parts.Board;
        _protocolLogs = parts.ProtocolLogs;
        _connectGate = parts.ConnectGate;
        _time = parts.Time;
        _tracing = parts.Tracing;
        _logger = parts.LoggerFactory.CreateLogger<Pop3MailboxSource>();
        _backoff = ReconnectBackoff.For(options, _time);
        Folder = new FolderKey(_mailbox.Name, MailboxDefinition.Pop3Folder);
        // UIDLs are unique only within one maildrop (Dovecot's are the UID and UIDVALIDITY, which
        // two accounts can share), so message ids also name the account they came from.
        _accountTag = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{_mailbox.Server.ToLowerInvariant()}\n{_mailbox.Username}")))[..8];
        _board.Update(Folder, s => s);
    }

    public FolderKey Folder { get; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan delay;
            try
            {
                await PollAsync(cancellationToken);
                _backoff.SessionCompleted();
                delay = _mailbox.CheckInterval;
                _board.Update(Folder, s => s with { NextAttemptAt = _time.GetUtcNow() + delay });
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                var error = MailConnectException.Explain(ex);
                var refused = ex is MailConnectException { Step: ConnectStep.Authentication or ConnectStep.Tls };
                var authFailed = ex is MailConnectException { Step: ConnectStep.Authentication };
                delay = _backoff.NextDelay(refused);
                _board.Update(Folder, s => s with { State = authFailed ? FolderState.AuthFailed : FolderState.Reconnecting, LastError = error, NextAttemptAt = _time.GetUtcNow() + delay });
                _logger.FolderSessionFailed(Folder, error, ex is MailConnectException or Pop3CommandException ? null : ex);
                _logger.Reconnecting(Folder, delay.TotalSeconds);
            }

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

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        // Between polls the maildrop stays "watching", and a refused login stays "auth_failed" until one succeeds.
        _board.Update(Folder, s => s with
        {
            State = s.State is FolderState.Watching or FolderState.AuthFailed ? s.State : FolderState.Connecting,
            NextAttemptAt = null,
        });

        await _login.PrepareAsync(cancellationToken);
        using var client = await _connectGate.RunAsync(
            () => MailConnector.ConnectPop3Async(_login, _protocolLogs.Create(Folder), _options.CommandTimeout, null, cancellationToken), cancellationToken);
        try
        {
            if (!client.Capabilities.HasFlag(Pop3Capabilities.UIDL))
            {
                // Without UIDL a new message cannot be told from an old one whose neighbour was
                // deleted; guessing would lose or repeat mail, so the mailbox waits for a fix.
                _logger.Pop3WithoutUidl(Folder);
                throw new NotSupportedException("the POP3 server does not support UIDL, so new mail cannot be told from old; use IMAP for this mailbox");
            }

            var onServer = (await client.GetMessageUidsAsync(cancellationToken)).Select(Key).ToList();
            await SyncPositionAsync(onServer, cancellationToken);
            _board.Update(Folder, s => s with { State = FolderState.Watching, LastError = null, LastConnectedAt = _time.GetUtcNow() });

            // Forget what left the server: the position stays as small as the maildrop.
            var position = _position!.KeepOnly(onServer.ToHashSet(StringComparer.Ordinal));
            for (var index = 0; index < onServer.Count; index++)
            {
                var uidl = onServer[index];
                if (position.Seen.Contains(uidl))
                {
                    continue;
                }

                position = position.With(uidl);
                if (_stuck.Uidl == uidl && _stuck.Failures >= _options.MaxFetchAttempts)
                {
                    // The server cannot deliver this message: record it as an empty, malformed
                    // event and move on rather than stall the maildrop (as IMAP does).
                    _logger.GivingUpOnPop3Message(Folder, uidl, _stuck.Failures);
                    await HandOverAsync(null, index, uidl, position, cancellationToken);
                    continue;
                }

                try
                {
                    await HandOverAsync(client, index, uidl, position, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _stuck = _stuck.Uidl == uidl ? (uidl, _stuck.Failures + 1) : (uidl, 1);
                    throw;
                }
            }

            _position = position;
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        finally
        {
            client.Dispose();
        }
    }

    private async Task SyncPositionAsync(List<string> onServer, CancellationToken cancellationToken)
    {
        if (_position is not null)
        {
            return;
        }

        if (await _store.GetPositionAsync(Folder, cancellationToken) is { } stored)
        {
            _position = Pop3Position.Parse(stored.Value);
            _numbering = new CheckpointNumbering(Folder, stored, _fence);
            return;
        }

        // First start: begin at "now"; the mail already on the server is not replayed.
        var start = new Pop3Position([.. onServer]);
        _numbering = new CheckpointNumbering(Folder, await _store.ResetPositionAsync(Folder, start.Serialize(), _fence, cancellationToken), _fence);
        _position = start;
        _logger.Pop3StartingAtNow(Folder, onServer.Count);
    }

    // Without a client, the message is handed over empty (one the server could not deliver).
    private async Task HandOverAsync(Pop3Client? client, int index, string uidl, Pop3Position position, CancellationToken cancellationToken)
    {
        var origin = new EmailOrigin($"{_mailbox.Name}:{Folder.Folder}:{_accountTag}:{uidl}", _mailbox.Name, Folder.Folder, _time.GetUtcNow());
        // The span covers reading the message, not the wait for room in analysis's queue.
        RawContent content;
        var fetch = _tracing.StartFetch(origin);
        try
        {
            if (client is null)
            {
                content = RawContent.FromBytes([]);
            }
            else
            {
                using var stream = await client.GetStreamAsync(index, headersOnly: false, cancellationToken);
                content = await RawContent.CopyFromAsync(stream, stream.CanSeek ? stream.Length : -1, cancellationToken);
            }
        }
        finally
        {
            fetch?.Dispose();
        }

        var checkpoint = _numbering!.Next(position);
        try
        {
            await _output.WriteAsync(new IncomingEmail(origin, content, checkpoint) { Trace = fetch?.Context ?? default }, cancellationToken);
        }
        catch
        {
            content.Dispose();
            throw;
        }

        _numbering.HandedOver(checkpoint);
        if (_stuck.Uidl == uidl)
        {
            _stuck = default;
        }

        // Kept as each message goes: a session that fails halfway does not fetch these again.
        _position = position;
    }

    /// <summary>
    /// A UIDL as the key of its message. One outside RFC 1939's form (too long, spaces, control
    /// characters: a broken or hostile server) is replaced by its hash, so it can neither break
    /// the stored position nor put odd characters into message ids.
    /// </summary>
    private static string Key(string uidl) =>
        uidl.Length is > 0 and <= MaxUidlLength && uidl.All(c => c is > ' ' and <= '~')
            ? uidl
            : "sha256-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(uidl)));
}
