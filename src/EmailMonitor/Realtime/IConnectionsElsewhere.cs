using System.Net;

namespace EmailMonitor.Realtime;

/// <summary>
/// A client's WebSocket connections held by the other instances, so MAX_CONNECTIONS_PER_IP
/// counts them all: <see cref="NoConnectionsElsewhere"/> when this instance is alone, the Redis
/// one (<c>Cluster.RedisConnectionCounts</c>) when several share the clients. MAX_CONNECTIONS
/// stays each instance's own: it is what one process can hold.
/// </summary>
internal interface IConnectionsElsewhere
{
    /// <summary>How many connections the client holds on other instances, asked afresh; never throws, waits a moment at most.</summary>
    ValueTask<int> CountAsync(IPAddress client, CancellationToken cancellationToken);

    /// <summary>This instance now holds <paramref name="here"/> connections of the client. Cheap: called under the admission lock.</summary>
    void Report(IPAddress client, int here);
}

/// <summary>One instance: there is no elsewhere.</summary>
internal sealed class NoConnectionsElsewhere : IConnectionsElsewhere
{
    public ValueTask<int> CountAsync(IPAddress client, CancellationToken cancellationToken) => ValueTask.FromResult(0);

    public void Report(IPAddress client, int here)
    {
    }
}
