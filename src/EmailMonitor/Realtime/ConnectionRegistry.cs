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
internal sealed class ConnectionRegistry(IOptions<RealtimeOptions> options)
{
    private readonly ConcurrentDictionary<ClientConnection, byte> _connections = new();
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private readonly Lock _admission = new();
    private int _count;
    private volatile bool _shuttingDown;

    public int Count => Volatile.Read(ref _count);

    public IReadOnlyList<ClientConnection> Snapshot() => [.. _connections.Keys];

    /// <summary>Admits a connection, or returns why not (it is then closed with 1013 or 1001).</summary>
    public (bool Admitted, WebSocketCloseStatus Status, string Reason) TryAdmit(ClientConnection connection)
    {
        var address = NetworkRules.ClientKey(connection.RemoteAddress ?? IPAddress.None);
        lock (_admission)
        {
            if (_shuttingDown)
            {
                return (false, WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
            }

            if (_count >= options.Value.MaxConnections)
            {
                return (false, (WebSocketCloseStatus)1013, "too many connections");
            }

            if (_perAddress.GetValueOrDefault(address) >= options.Value.MaxConnectionsPerIp)
            {
                return (false, (WebSocketCloseStatus)1013, "too many connections from this address");
            }

            _perAddress[address] = _perAddress.GetValueOrDefault(address) + 1;
            _count++;
            _connections[connection] = 0;
            return (true, default, string.Empty);
        }
    }

    public void Remove(ClientConnection connection)
    {
        var address = NetworkRules.ClientKey(connection.RemoteAddress ?? IPAddress.None);
        lock (_admission)
        {
            if (!_connections.TryRemove(connection, out _))
            {
                return;
            }

            _count--;
            if (--_perAddress[address] == 0)
            {
                _perAddress.Remove(address);
            }
        }
    }

    public void Publish(StoredEvent stored)
    {
        var frame = ServerMessages.NewEmail(stored);
        foreach (var connection in _connections.Keys)
        {
            connection.Deliver(frame, stored.EventId);
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
    public void CloseUser(string username)
    {
        foreach (var connection in _connections.Keys.Where(c => string.Equals(c.User?.Username, username, StringComparison.OrdinalIgnoreCase)))
        {
            connection.Close(WebSocketCloseStatus.PolicyViolation, "logins revoked");
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
}
