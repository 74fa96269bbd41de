namespace EmailMonitor.Auth;

/// <summary>
/// Failed-login counts and locks for names that are not (usable) accounts, so that a lock, and
/// its answer <c>account_locked</c>, comes after the same number of failures whether or not the
/// account exists: the answers never tell which names are real. Kept in memory and bounded.
/// </summary>
internal sealed class UnknownAccountLockouts(TimeProvider time)
{
    private const int MaxTrackedNames = 10_000;

    private readonly Dictionary<string, (int Failures, DateTimeOffset? LockedUntil)> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    public bool IsLocked(string username)
    {
        lock (_gate)
        {
            return _names.TryGetValue(username, out var entry) && entry.LockedUntil > time.GetUtcNow();
        }
    }

    /// <summary>Counts a failure; returns true when this one locks the name until <paramref name="lockUntil"/>.</summary>
    public bool RecordFailure(string username, int maxAttempts, DateTimeOffset lockUntil)
    {
        lock (_gate)
        {
            if (_names.Count >= MaxTrackedNames && !_names.ContainsKey(username))
            {
                var now = time.GetUtcNow();
                foreach (var stale in _names.Where(n => n.Value.LockedUntil is null || n.Value.LockedUntil <= now).Select(n => n.Key).ToList())
                {
                    _names.Remove(stale);
                }
            }

            var failures = (_names.TryGetValue(username, out var entry) && entry.LockedUntil is null ? entry.Failures : 0) + 1;
            var locks = failures >= maxAttempts;
            _names[username] = locks ? (0, lockUntil) : (failures, null);
            return locks;
        }
    }
}
