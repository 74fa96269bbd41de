using System.Net;

namespace EmailMonitor.Security;

/// <summary>
/// Decides which repeats of one security event from one address are written. The first is
/// written at once; further ones within <see cref="Window"/> are only counted, and the next line
/// written says how many were left out. A flood of refused requests therefore costs a line per
/// address every few seconds instead of a line per request, and cannot roll the evidence of
/// everything else out of <c>security.log</c>.
/// </summary>
internal sealed class RepeatedEvents(TimeProvider time)
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private const int MaxTracked = 10_000;

    private readonly Dictionary<(string Event, IPAddress? Address), (DateTimeOffset WrittenAt, int Omitted)> _last = [];
    private readonly Lock _gate = new();

    /// <summary>True when this occurrence is to be written; <paramref name="omitted"/> counts the ones left out before it.</summary>
    public bool ShouldWrite(string eventName, IPAddress? address, out int omitted)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var key = (eventName, address);
            if (_last.TryGetValue(key, out var last) && now - last.WrittenAt < Window)
            {
                _last[key] = last with { Omitted = last.Omitted + 1 };
                omitted = 0;
                return false;
            }

            if (_last.Count >= MaxTracked)
            {
                Forget(now);
            }

            omitted = last.Omitted;
            _last[key] = (now, 0);
            return true;
        }
    }

    // Entries past their window hold at most an omitted count; losing it under a flood of
    // distinct addresses only shortens one line's note.
    private void Forget(DateTimeOffset now)
    {
        foreach (var stale in _last.Where(entry => now - entry.Value.WrittenAt >= Window).Select(entry => entry.Key).ToList())
        {
            _last.Remove(stale);
        }
    }
}
