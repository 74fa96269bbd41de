namespace EmailMonitor.Observability;

/// <summary>Counts events over the last sixty seconds in one-second buckets.</summary>
internal sealed class EventsPerMinute(TimeProvider time)
{
    private readonly long[] _counts = new long[60];
    private readonly long[] _seconds = new long[60];
    private readonly Lock _gate = new();

    public void Add(long count)
    {
        var second = time.GetUtcNow().ToUnixTimeSeconds();
        var slot = (int)(second % 60);
        lock (_gate)
        {
            if (_seconds[slot] != second)
            {
                _seconds[slot] = second;
                _counts[slot] = 0;
            }

            _counts[slot] += count;
        }
    }

    public long LastMinute()
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        lock (_gate)
        {
            long total = 0;
            for (var slot = 0; slot < 60; slot++)
            {
                if (now - _seconds[slot] < 60)
                {
                    total += _counts[slot];
                }
            }

            return total;
        }
    }
}
