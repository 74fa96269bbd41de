using System.Net;

namespace EmailMonitor.Security;

/// <summary>
/// A client's budget as counted by every instance together, beside each instance's own limiter:
/// <see cref="LocalBudget"/> when this instance is alone, the Redis one (<c>Cluster.RedisBudget</c>)
/// when several share the clients.
/// </summary>
internal interface ISharedBudget
{
    /// <summary>Spends one of <paramref name="limit"/> per <paramref name="window"/> from the client's <paramref name="budget"/>; false when all instances together have spent it.</summary>
    bool TrySpend(string budget, IPAddress client, int limit, TimeSpan window);

    /// <summary>Forgets what the client spent of <paramref name="budget"/> in the current window, everywhere (a block made or lifted starts it afresh).</summary>
    void Forget(string budget, IPAddress client, TimeSpan window);
}

/// <summary>One instance: its own limiter is the whole count.</summary>
internal sealed class LocalBudget : ISharedBudget
{
    public bool TrySpend(string budget, IPAddress client, int limit, TimeSpan window) => true;

    public void Forget(string budget, IPAddress client, TimeSpan window)
    {
    }
}
