using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Threading.Channels;
using EmailMonitor.Auth;
using EmailMonitor.Observability;
using EmailMonitor.Security;
using EmailMonitor.Storage;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Realtime;

/// <summary>
/// One WebSocket client. A receive loop handles requests one at a time; a single sender drains
/// this connection's queue, so frames never interleave and a slow client only ever fills its own
/// bounded queue, after which it is disconnected.
/// </summary>
internal sealed class ClientConnection : IAsyncDisposable
{
    private const int ReplayPageSize = 100;

    // Small, as a replay page is held per connection and every client may resume at once after a restart.
    private const long ReplayPageBytes = 2 * 1024 * 1024;

    // Enough for every request a client sends; a larger message grows its buffer.
    private const int InitialReceiveBytes = 4096;

    // A client that keeps sending after this many refused frames in a row is cut off.
    private const int MaxRefusedFramesInARow = 10;

    private readonly WebSocket _socket;

    // The socket's stream on connections the service accepts (WebSocketEndpoint); without it, each
    // frame is a write of its own.
    private readonly CoalescingStream? _coalescing;
    private readonly ClientRequests _requests;
    private readonly EventStore _store;
    private readonly SecurityLog _securityLog;
    private readonly RateLimits _rateLimits;
    private readonly ServiceMetrics _metrics;
    private readonly RealtimeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Outbound> _outbox;
    private readonly ReceivedEvents _received = new();
    private readonly ITimer _authenticationDeadline;

    private readonly MailboxAccess _mailboxAccess;
    private AuthenticatedUser? _user;
    private bool _expired;
    private ITimer? _expiryTimer;
    private ITimer? _closeTimer;
    private long _queuedBytes;
    private int _closing;
    private readonly Lock _heldCloseGate = new();
    private bool _closeHeld;
    private OutboundClose? _heldClose;
    private int _refusedInARow;

    // The buffer of the message being read, if any: one owner, so it goes back to the pool once
    // whatever buffer reading grew into and however reading ended.
    private byte[]? _receiving;
    private int _authenticating;
    private bool _deadlinePassed;

    public ClientConnection(
        WebSocket socket,
        IPAddress? remoteAddress,
        AuthService auth,
        UserAdministration users,
        EventStore store,
        MailboxAccess mailboxAccess,
        SecurityLog securityLog,
        RateLimits rateLimits,
        ServiceMetrics metrics,
        IOptions<RealtimeOptions> options,
        TimeProvider time,
        ILogger<ClientConnection> logger,
        CoalescingStream? coalescing = null)
    {
        _socket = socket;
        _coalescing = coalescing;
        RemoteAddress = remoteAddress;
        OpenedAt = time.GetTimestamp();
        _store = store;
        _mailboxAccess = mailboxAccess;
        _securityLog = securityLog;
        _rateLimits = rateLimits;
        _metrics = metrics;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _requests = new ClientRequests(this, auth, users, securityLog, time);
        _outbox = Channel.CreateBounded<Outbound>(new BoundedChannelOptions(_options.MaxQueuedFrames)
        {
            // Never wait and never drop silently: a full queue means a too-slow client, disconnected in Enqueue.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _authenticationDeadline = time.CreateTimer(_ => OnAuthenticationDeadline(), null, _options.AuthenticationDeadline, Timeout.InfiniteTimeSpan);
    }

    public IPAddress? RemoteAddress { get; }

    /// <summary>When the connection was accepted, as a <see cref="TimeProvider"/> timestamp.</summary>
    public long OpenedAt { get; }

    public AuthenticatedUser? User => Volatile.Read(ref _user);

    /// <summary>True while the connection may receive email events: authenticated and its token not expired.</summary>
    public bool ReceivesEvents => Volatile.Read(ref _user) is not null && !Volatile.Read(ref _expired);

    public bool HasExpired => Volatile.Read(ref _expired);

    /// <summary>Whether frames queued together leave in one write (<see cref="CoalescingStream"/>).</summary>
    public bool CoalescesSends => _coalescing is not null;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var sender = SendLoopAsync(cancellationToken);
        try
        {
            await ReceiveLoopAsync(cancellationToken);
        }
        catch (WebSocketException ex) when (ex.WebSocketErrorCode == WebSocketError.Faulted)
        {
            // The socket refused what the client sent (a text frame that is not UTF-8: 1007; a broken
            // frame: 1002), queued a close frame saying so and gave the connection up. Ending the request
            // at once can reset the connection before that frame leaves, so the server waits for the
            // client to hang up, as RFC 6455 (7.1.1) has it, for the close timeout at most.
            _logger.ConnectionDropped(RemoteAddress, ex.Message);
            await AwaitClientHangUpAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            _logger.ConnectionDropped(RemoteAddress, ex.Message);
        }
        finally
        {
            _outbox.Writer.TryComplete();
            await AwaitSenderAsync(sender);
        }
    }

    /// <summary>Queues a live event the user may see; a client whose queue is full is disconnected.</summary>
    public void Deliver(byte[] frame, long eventId, string mailbox)
    {
        if (Sees(mailbox))
        {
            Enqueue(new OutboundFrame(frame, eventId, mailbox));
        }
    }

    /// <summary>Whether this connection may receive an event of <paramref name="mailbox"/> now.</summary>
    private bool Sees(string mailbox) =>
        ReceivesEvents && Volatile.Read(ref _user) is { } user && _mailboxAccess.Allows(user.Username, user.Role, mailbox);

    private IReadOnlySet<string>? VisibleMailboxes() =>
        Volatile.Read(ref _user) is { } user ? _mailboxAccess.Visible(user.Username, user.Role) : null;

    public void Send(byte[] frame) => Enqueue(new OutboundFrame(frame));

    public void RequestReplay(long afterEventId) => Enqueue(new OutboundReplay(afterEventId));

    public void Close(WebSocketCloseStatus status, string reason)
    {
        var close = new OutboundClose(status, reason);
        lock (_heldCloseGate)
        {
            // Held by CloseAfterAsync: kept, and made if that work fails.
            if (_closeHeld)
            {
                _heldClose ??= close;
                return;
            }
        }

        if (Interlocked.Exchange(ref _closing, 1) == 0)
        {
            Enqueue(close);
        }
    }

    /// <summary>
    /// Closes with <paramref name="status"/> once <paramref name="work"/> has succeeded, and no other
    /// close overtakes it meanwhile (such as the 1008 its own work may cause); when the work fails,
    /// the connection stays open and the failure goes to the caller.
    /// </summary>
    public async Task CloseAfterAsync(Func<Task> work, WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        lock (_heldCloseGate)
        {
            _closeHeld = true;
        }

        OutboundClose? instead = null;
        try
        {
            await work();
        }
        catch
        {
            // A close asked for meanwhile (a shutdown, a revocation) still happens.
            lock (_heldCloseGate)
            {
                (_closeHeld, instead, _heldClose) = (false, _heldClose, null);
                if (instead is null)
                {
                    Volatile.Write(ref _closing, 0);
                }
            }

            if (instead is not null)
            {
                Enqueue(instead);
            }

            throw;
        }

        lock (_heldCloseGate)
        {
            (_closeHeld, _heldClose) = (false, null);
        }

        Enqueue(new OutboundClose(status, reason));
    }

    /// <summary>True while a login or token check of this connection is under way (up to the hashing wait).</summary>
    public bool IsAuthenticating => Volatile.Read(ref _authenticating) > 0;

    /// <summary>Marks an authentication under way until the returned scope ends, so the connection is not displaced meanwhile.</summary>
    public IDisposable Authenticating()
    {
        Interlocked.Increment(ref _authenticating);
        return new AuthenticationScope(this);
    }

    /// <summary>
    /// Signs the connection in with <paramref name="reply"/> (its auth_success), queued before the
    /// connection takes events: a client never gets an email ahead of the word that it is signed in.
    /// </summary>
    public void Authenticated(AuthenticatedUser user, byte[] reply)
    {
        _authenticationDeadline.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var delay = user.ExpiresAt - _time.GetUtcNow();
        var timer = _time.CreateTimer(_ => OnTokenExpired(user), null, delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        Interlocked.Exchange(ref _expiryTimer, timer)?.Dispose();
        Send(reply);
        Volatile.Write(ref _user, user);
        Volatile.Write(ref _expired, false);
    }

    public async ValueTask DisposeAsync()
    {
        await _authenticationDeadline.DisposeAsync();
        if (_expiryTimer is not null)
        {
            await _expiryTimer.DisposeAsync();
        }

        if (_closeTimer is not null)
        {
            await _closeTimer.DisposeAsync();
        }
    }

    private void Enqueue(Outbound item)
    {
        var size = item is OutboundFrame frame ? frame.Bytes.Length : 0;
        var queued = Interlocked.Add(ref _queuedBytes, size);
        if (queued > _options.MaxQueuedBytes || !_outbox.Writer.TryWrite(item))
        {
            if (_outbox.Writer.TryComplete())
            {
                _logger.SlowClientDisconnected(RemoteAddress, queued);
                _socket.Abort();
            }
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        while (_socket.State is WebSocketState.Open or WebSocketState.CloseSent)
        {
            // Waits for the next frame without a buffer, so an idle connection holds none: one is
            // rented only while a message is read and handled, small at first (requests are), and
            // grown up to the frame limit for a larger one.
            var first = await _socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
            if (first.MessageType == WebSocketMessageType.Close)
            {
                Close(WebSocketCloseStatus.NormalClosure, string.Empty);
                return;
            }

            _receiving = ArrayPool<byte>.Shared.Rent(InitialReceiveBytes);
            try
            {
                var message = first.EndOfMessage
                    ? new ReceivedMessage(first.MessageType, 0, false)
                    : await ReadMessageAsync(cancellationToken);
                if (!await HandleMessageAsync(message, _receiving!, cancellationToken))
                {
                    return;
                }
            }
            finally
            {
                // Whatever buffer reading grew into, even when it failed half-way; cleared, since
                // a login's password passed through it.
                ArrayPool<byte>.Shared.Return(_receiving!, clearArray: true);
                _receiving = null;
            }
        }
    }

    // Handles one message; false once the client has closed.
    private async Task<bool> HandleMessageAsync(ReceivedMessage message, byte[] buffer, CancellationToken cancellationToken)
    {
        var (type, length, tooBig) = message;
        if (type == WebSocketMessageType.Close)
        {
            Close(WebSocketCloseStatus.NormalClosure, string.Empty);
            return false;
        }

        if (Volatile.Read(ref _closing) == 1)
        {
            return true;
        }

        if (tooBig)
        {
            _securityLog.InvalidMessage(RemoteAddress, User?.Username, $"frame larger than {RealtimeOptions.MaxFrameBytes} bytes");
            Close(WebSocketCloseStatus.MessageTooBig, "message too big");
            return true;
        }

        if (!_rateLimits.TryRequest(RemoteAddress, out var retryAfter))
        {
            RefuseOverLimit(retryAfter);
            return true;
        }

        _refusedInARow = 0;
        try
        {
            await _requests.HandleAsync(type, buffer.AsMemory(0, length), cancellationToken);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or WebSocketException or IOException))
        {
            // The loop edge for one request: a bug or a storage failure must not end the connection.
            _logger.RequestFailed(RemoteAddress, ex);
            Send(ServerMessages.Error(ErrorCodes.InvalidMessage, "The request could not be processed."));
        }

        return true;
    }

    private void RefuseOverLimit(TimeSpan retryAfter)
    {
        _metrics.RateLimitExceeded("websocket");
        _securityLog.RateLimited(RemoteAddress, User?.Username, "WebSocket messages");
        Send(ServerMessages.Error(ErrorCodes.RateLimited, $"Too many messages from this address; retry in {Math.Ceiling(retryAfter.TotalSeconds):0} s."));
        if (++_refusedInARow >= MaxRefusedFramesInARow)
        {
            Close(WebSocketCloseStatus.PolicyViolation, "rate limit exceeded");
        }
    }

    // Reads one whole message into _receiving, which it replaces with a larger buffer as needed
    // (the old one going back to the pool at once). Past the size limit the rest is read and
    // discarded, so the connection can still complete the close handshake.
    private async Task<ReceivedMessage> ReadMessageAsync(CancellationToken cancellationToken)
    {
        var length = 0;
        var tooBig = false;
        while (true)
        {
            var buffer = _receiving!;
            if (!tooBig && length == buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, RealtimeOptions.MaxFrameBytes + 1));
                buffer.AsSpan().CopyTo(larger);
                _receiving = larger;
                ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
                buffer = larger;
            }

            var space = tooBig ? buffer.AsMemory() : buffer.AsMemory(length);
            var result = await _socket.ReceiveAsync(space, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return new ReceivedMessage(WebSocketMessageType.Close, 0, false);
            }

            if (!tooBig)
            {
                length += result.Count;
                tooBig = length > RealtimeOptions.MaxFrameBytes;
            }

            if (result.EndOfMessage)
            {
                return new ReceivedMessage(result.MessageType, tooBig ? 0 : length, tooBig);
            }
        }
    }

    private readonly record struct ReceivedMessage(WebSocketMessageType Type, int Length, bool TooBig);

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            var outbox = _outbox.Reader;
            while (await outbox.WaitToReadAsync(cancellationToken))
            {
                await SendQueuedFramesAsync(outbox, cancellationToken);

                // A replay waits on the store and a close lets the socket give up its stream once
                // both sides have sent theirs: neither is held back.
                if (outbox.TryPeek(out var next) && next is not OutboundFrame && outbox.TryRead(out _))
                {
                    switch (next)
                    {
                        case OutboundReplay replay:
                            await ReplayAsync(replay.AfterEventId, cancellationToken);
                            break;
                        case OutboundClose close:
                            await CloseOutputAsync(close, cancellationToken);
                            return;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            _socket.Abort();
        }
    }

    /// <summary>
    /// Sends the frames at the head of the queue, up to anything else, as one write where the
    /// socket's stream can hold them (<see cref="CoalescingStream"/>).
    /// </summary>
    private async Task SendQueuedFramesAsync(ChannelReader<Outbound> outbox, CancellationToken cancellationToken)
    {
        // On failure what is held is left behind: the send loop aborts the socket, and no write can follow.
        _coalescing?.Hold();
        while (outbox.TryPeek(out var next) && next is OutboundFrame frame && outbox.TryRead(out _))
        {
            Interlocked.Add(ref _queuedBytes, -frame.Bytes.Length);
            // Checked again as it leaves: the user's mailboxes may have changed since it was queued.
            if (frame.EventId is not long eventId)
            {
                await SendAsync(frame.Bytes, cancellationToken);
            }
            else if (Sees(frame.Mailbox!) && !_received.Contains(eventId))
            {
                await SendAsync(frame.Bytes, cancellationToken);
                _received.Add(eventId);
            }
        }

        await ReleaseHeldAsync(cancellationToken);
    }

    private ValueTask ReleaseHeldAsync(CancellationToken cancellationToken) =>
        _coalescing?.ReleaseAsync(cancellationToken) ?? ValueTask.CompletedTask;

    private async Task ReplayAsync(long afterEventId, CancellationToken cancellationToken)
    {
        var count = 0;
        var cursor = afterEventId;
        while (ReceivesEvents)
        {
            var page = await _store.ReadAfterAsync(cursor, ReplayPageSize, ReplayPageBytes, VisibleMailboxes(), cancellationToken);
            // A page leaves in as few writes as it fits in; nothing is held while the next is read.
            _coalescing?.Hold();
            foreach (var stored in page)
            {
                cursor = stored.EventId;
                if (!Sees(stored.Mailbox) || _received.Contains(stored.EventId))
                {
                    continue;
                }

                await SendAsync(ServerMessages.NewEmail(stored), cancellationToken);
                _received.Add(stored.EventId);
                count++;
            }

            await ReleaseHeldAsync(cancellationToken);

            // A page of large events ends early, so only an empty page ends the replay.
            if (page.Count == 0)
            {
                break;
            }
        }

        // Read after the replay: a deletion that overtook it is reported too.
        var deletedThrough = await _store.DeletedThroughAsync(cancellationToken);
        await SendAsync(ServerMessages.ResumeComplete(count, deletedThrough > afterEventId ? deletedThrough : null), cancellationToken);
    }

    private Task SendAsync(byte[] frame, CancellationToken cancellationToken) =>
        _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private async Task CloseOutputAsync(OutboundClose close, CancellationToken cancellationToken)
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await _socket.CloseOutputAsync(close.Status, close.Reason, cancellationToken);
        }

        // The client must answer the close frame soon; one that does not is cut off.
        _closeTimer = _time.CreateTimer(_ => _socket.Abort(), null, _options.CloseTimeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Waits until the client closes the connection (the request is aborted) or the close timeout passes.</summary>
    private async Task AwaitClientHangUpAsync(CancellationToken connectionClosed)
    {
        try
        {
            await Task.Delay(_options.CloseTimeout, _time, connectionClosed);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task AwaitSenderAsync(Task sender)
    {
        using var timeout = new CancellationTokenSource(_options.CloseTimeout, _time);
        try
        {
            await sender.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _socket.Abort();
        }
    }

    private void OnAuthenticationDeadline()
    {
        Volatile.Write(ref _deadlinePassed, true);
        // A login whose check is still waiting for a hashing slot was sent in time: its outcome
        // decides, when it comes (EndAuthentication).
        if (!IsAuthenticating)
        {
            EnforceAuthenticationDeadline();
        }
    }

    private void EnforceAuthenticationDeadline()
    {
        if (Volatile.Read(ref _deadlinePassed) && Volatile.Read(ref _user) is null)
        {
            _securityLog.AuthenticationTimeout(RemoteAddress);
            Close(WebSocketCloseStatus.PolicyViolation, "authentication timeout");
        }
    }

    private void EndAuthentication()
    {
        if (Interlocked.Decrement(ref _authenticating) == 0)
        {
            EnforceAuthenticationDeadline();
        }
    }

    private void OnTokenExpired(AuthenticatedUser user)
    {
        // Only the token this timer was set for; a newer authentication replaced it otherwise.
        if (ReferenceEquals(Volatile.Read(ref _user), user))
        {
            Volatile.Write(ref _expired, true);
            var (code, message) = ErrorCodes.For(AuthFailure.TokenExpired);
            Send(ServerMessages.Error(code, message));
        }
    }

    private sealed class AuthenticationScope(ClientConnection connection) : IDisposable
    {
        public void Dispose() => connection.EndAuthentication();
    }
}
