using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using EmailMonitor.Auth;
using EmailMonitor.Security;
using EmailMonitor.Storage;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Realtime;

/// <summary>
/// The open connections: admits new ones within the connection limits and hands every stored
/// event to each of them. Handing over never waits on a client.
/// </summary>
/// <remarks>
/// A socket that has not authenticated yet holds a slot without having proved anything, so it
/// never keeps a newcomer out: when an address is full its own oldest waiting socket gives way
/// (1013), and when the service is full the oldest waiting socket of the address that holds the
/// most of them does; each address may hold only a few such sockets at once. A few addresses
/// re-opening idle upgrades therefore cannot shut real users out. An authenticated connection,
/// or one whose login is being checked, is never displaced. With several instances an address's
/// connections on the others count towards its limit too.
/// </remarks>
internal sealed class ConnectionRegistry(IOptions<RealtimeOptions> options, IConnectionsElsewhere elsewhere)
{
    /// <summary>Sockets one address may hold before authenticating; the oldest gives way to a newer one.</summary>
    public const int MaxUnauthenticatedPerAddress = 4;

    private readonly ConcurrentDictionary<ClientConnection, byte> _connections = new();

    // Each address's connections in the order they were admitted (oldest first).
    private readonly Dictionary<IPAddress, List<ClientConnection>> _byAddress = [];
    private readonly Lock _admission = new();
    private int _count;
    private volatile bool _shuttingDown;

    public int Count => Volatile.Read(ref _count);

    public IReadOnlyList<ClientConnection> Snapshot() => [.. _connections.Keys];

    /// <summary>Admits a connection, or returns why not (it is then closed with 1013 or 1001).</summary>
    public async ValueTask<(bool Admitted, WebSocketCloseStatus Status, string Reason)> TryAdmitAsync(ClientConnection connection, CancellationToken cancellationToken)
    {
        var address = NetworkRules.ClientKey(connection.RemoteAddress ?? IPAddress.None);
        return TryAdmit(connection, address, await elsewhere.CountAsync(address, cancellationToken));
    }

    private (bool Admitted, WebSocketCloseStatus Status, string Reason) TryAdmit(ClientConnection connection, IPAddress address, int heldElsewhere)
    {
        var displaced = new List<ClientConnection>();
        try
        {
            lock (_admission)
            {
                if (_shuttingDown)
                {
                    return (false, WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
                }

                var own = _byAddress.GetValueOrDefault(address) ?? [];
                if (own.Count(IsUnauthenticated) >= MaxUnauthenticatedPerAddress)
                {
                    displaced.Add(Displace(own.First(IsUnauthenticated)));
                }

                if (own.Count + heldElsewhere >= options.Value.MaxConnectionsPerIp)
                {
                    if (own.FirstOrDefault(IsUnauthenticated) is not { } oldest)
                    {
                        return (false, TryAgainLater, "too many connections from this address");
                    }

                    displaced.Add(Displace(oldest));
                }

                if (_count >= options.Value.MaxConnections)
                {
                    // The oldest waiting socket of the address holding the most of them: a few
                    // busy addresses pay for the room, not a user who just arrived. Looked for
                    // only when full.
                    var busiest = _byAddress.Values
                        .Select(list => list.Where(IsUnauthenticated).ToList())
                        .Where(waiting => waiting.Count > 0)
                        .MaxBy(waiting => (waiting.Count, -waiting[0].OpenedAt));
                    if (busiest is null)
                    {
                        return (false, TryAgainLater, "too many connections");
                    }

                    displaced.Add(Displace(busiest[0]));
                }

                if (!_byAddress.TryGetValue(address, out var list))
                {
                    list = [];
                    _byAddress[address] = list;
                }

                list.Add(connection);
                elsewhere.Report(address, list.Count);
                _count++;
                _connections[connection] = 0;
                return (true, default, string.Empty);
            }
        }
        finally
        {
            // Closed outside the lock: closing queues a frame on the connection.
            foreach (var waiting in displaced)
            {
                waiting.Close(TryAgainLater, "displaced by a newer connection before authenticating");
            }
        }
    }

    public void Remove(ClientConnection connection)
    {
        lock (_admission)
        {
            Forget(connection);
        }
    }

    public void Publish(StoredEvent stored)
    {
        var frame = ServerMessages.NewEmail(stored);
        foreach (var connection in _connections.Keys)
        {
            connection.Deliver(frame, stored.EventId, stored.Mailbox);
        }
    }

    /// <summary>Closes every connection from an address that was just blocked.</summary>
    public void CloseFrom(IPAddress address)
    {
        foreach (var connection in _connections.Keys.Where(c => c.RemoteAddress is { } remote && NetworkRules.ClientKey(remote).Equals(address)))
        {
            connection.Close(WebSocketCloseStatus.PolicyViolation, "address blocked");
        }
    }

    /// <summary>Closes every connection of a user whose logins were revoked (password changed, disabled, removed).</summary>
    public void CloseUser(string username) => CloseUser(username, "logins revoked");

    /// <summary>Closes every connection of a user, saying why.</summary>
    public void CloseUser(string username, string reason)
    {
        foreach (var connection in _connections.Keys.Where(c => string.Equals(c.User?.Username, username, StringComparison.OrdinalIgnoreCase)))
        {
            connection.Close(WebSocketCloseStatus.PolicyViolation, reason);
        }
    }

    /// <summary>
    /// Closes every connection authenticated by one login: 1000 when its user logged out; when it
    /// was revoked, <c>token_revoked</c> and then 1008.
    /// </summary>
    public void CloseLogin(string sessionId, LoginEnd end)
    {
        foreach (var connection in _connections.Keys.Where(c => c.User?.SessionId == sessionId))
        {
            if (end == LoginEnd.LoggedOut)
            {
                connection.Close(WebSocketCloseStatus.NormalClosure, "logged out");
                continue;
            }

            var (code, message) = ErrorCodes.For(AuthFailure.TokenRevoked);
            connection.Send(ServerMessages.Error(code, message));
            connection.Close(WebSocketCloseStatus.PolicyViolation, "login revoked");
        }
    }

    /// <summary>Stops admitting and closes every connection with 1001 (going away).</summary>
    public void Shutdown()
    {
        lock (_admission)
        {
            _shuttingDown = true;
        }

        foreach (var connection in _connections.Keys)
        {
            connection.Close(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
        }
    }

    private static WebSocketCloseStatus TryAgainLater => (WebSocketCloseStatus)1013;

    // Waiting to authenticate and not in the middle of doing so.
    private static bool IsUnauthenticated(ClientConnection connection) => connection.User is null && !connection.IsAuthenticating;

    // Under the admission lock.
    private ClientConnection Displace(ClientConnection connection)
    {
        Forget(connection);
        return connection;
    }

    // Under the admission lock.
    private void Forget(ClientConnection connection)
    {
        if (!_connections.TryRemove(connection, out _))
        {
            return;
        }

        _count--;
        var address = NetworkRules.ClientKey(connection.RemoteAddress ?? IPAddress.None);
        if (_byAddress.TryGetValue(address, out var list) && list.Remove(connection))
        {
            elsewhere.Report(address, list.Count);
            if (list.Count == 0)
            {
                _byAddress.Remove(address);
            }
        }
    }
}
