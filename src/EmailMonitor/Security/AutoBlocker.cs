using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Security;

/// <summary>
/// Counts security violations per address (failed logins, bad tokens, rate-limit hits, invalid
/// messages) over a sliding window, and blocks an address that reaches the threshold. With several
/// instances the address's violations on all of them count too (in fixed windows, a moment late:
/// see <see cref="ISharedBudget"/>), so spreading them over instances does not multiply the threshold.
/// </summary>
internal sealed partial class AutoBlocker(
    IOptions<SecurityOptions> options, NetworkRules rules, BlockList blocks, ISharedBudget shared, TimeProvider time, ILoggerFactory loggerFactory)
{
    // Beyond this many tracked addresses, stale ones are dropped before a new one is added.
    private const int MaxTrackedAddresses = 100_000;

    private readonly ConcurrentDictionary<IPAddress, Queue<DateTimeOffset>> _violations = new();
    private readonly ILogger _securityLog = loggerFactory.CreateLogger(SecurityLog.Category);
    /// <summary>
    /// A block made or lifted here starts the address's count afresh, on every instance: a client
    /// whose block an administrator lifted is not blocked again by its next typo.
    /// </summary>
    public void Forget(BlockChange change)
    {
        _violations.TryRemove(change.Address, out _);
        shared.Forget("violations", change.Address, options.Value.AutoBlockWindow);
    }

    public void Record(IPAddress? address, string kind)
    {
        if (address is null)
        {
            return;
        }

        var key = NetworkRules.ClientKey(address);
        // A trusted proxy seen as the client means its forwarding is misconfigured (too few
        // TRUSTED_PROXY_HOPS, a missing header): blocking it would shut out everyone behind it.
        if (blocks.Find(key) is not null || rules.TrustedProxies.Any(network => network.Contains(NetworkRules.Normalize(address))))
        {
            return;
        }

        if (_violations.Count >= MaxTrackedAddresses && !_violations.ContainsKey(key))
        {
            Prune();
        }

        var now = time.GetUtcNow();
        var window = options.Value.AutoBlockWindow;
        var recent = _violations.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
        int count;
        lock (recent)
        {
            recent.Enqueue(now);
            while (recent.Count > 0 && recent.Peek() <= now - window)
            {
                recent.Dequeue();
            }

            count = recent.Count;
            if (count >= options.Value.AutoBlockThreshold)
            {
                recent.Clear();
            }
        }

        string? reason = null;
        if (count >= options.Value.AutoBlockThreshold)
        {
            reason = $"{count} violations within {window.TotalSeconds:0} s, the last: {kind}";
        }
        else if (!shared.TrySpend("violations", key, options.Value.AutoBlockThreshold - 1, window))
        {
            reason = $"{options.Value.AutoBlockThreshold} violations within {window.TotalSeconds:0} s on all instances, the last: {kind}";
            lock (recent)
            {
                recent.Clear();
            }
        }

        if (reason is not null)
        {
            // Written first: the record of a block comes before its effects (closed connections).
            IpBlocked(_securityLog, key.ToString(), reason, now + options.Value.AutoBlockDuration);
            blocks.Block(key, reason, options.Value.AutoBlockDuration);
        }
    }

    private void Prune()
    {
        var horizon = time.GetUtcNow() - options.Value.AutoBlockWindow;
        foreach (var (address, recent) in _violations)
        {
            lock (recent)
            {
                if (recent.Count == 0 || recent.Last() <= horizon)
                {
                    _violations.TryRemove(address, out _);
                }
            }
        }
    }

    [LoggerMessage(EventId = 9010, EventName = "ip_blocked", Level = LogLevel.Warning, Message = "{Ip} blocked until {ExpiresAt}: {Reason}")]
    private static partial void IpBlocked(ILogger logger, string ip, string reason, DateTimeOffset expiresAt);
}
