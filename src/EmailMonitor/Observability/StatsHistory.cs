namespace EmailMonitor.Observability;

/// <summary>
/// The metrics of <c>/api/stats</c> over the last hour (a point a minute) and the last day (a
/// point an hour), for the dashboard's charts. Samples of the counters since start are kept, 61
/// and 25 of them, and a point is the difference between two; so memory stays bounded and a missed
/// tick makes a longer point, never a lost count. Each instance keeps its own.
/// </summary>
internal sealed class StatsHistory
{
    public const int MinutePoints = 60;

    public const int HourPoints = 24;

    private readonly Queue<StatsSample> _minutes = new();
    private readonly Queue<StatsSample> _hours = new();
    private readonly Lock _gate = new();

    /// <summary>Keeps a sample taken at the end of a minute; the first an hour after the last hour's also ends an hour.</summary>
    public void Record(StatsSample sample)
    {
        lock (_gate)
        {
            Keep(_minutes, sample, MinutePoints + 1);
            if (_hours.Count == 0 || sample.At - _hours.Last().At >= TimeSpan.FromHours(1))
            {
                Keep(_hours, sample, HourPoints + 1);
            }
        }
    }

    /// <summary>
    /// The points of the last hour or day, oldest first, then always the one in progress up to
    /// <paramref name="now"/> (<see cref="StatsPoint.Complete"/> false).
    /// </summary>
    public IReadOnlyList<StatsPoint> Read(StatsPeriod period, StatsSample now)
    {
        StatsSample[] samples;
        lock (_gate)
        {
            samples = [.. period == StatsPeriod.Hour ? _minutes : _hours];
        }

        var points = new List<StatsPoint>(samples.Length);
        for (var i = 1; i < samples.Length; i++)
        {
            points.Add(Between(samples[i - 1], samples[i], complete: true));
        }

        if (samples.Length > 0 && now.At >= samples[^1].At)
        {
            points.Add(Between(samples[^1], now, complete: false));
        }

        return points;
    }

    private static void Keep(Queue<StatsSample> samples, StatsSample sample, int capacity)
    {
        samples.Enqueue(sample);
        while (samples.Count > capacity)
        {
            samples.Dequeue();
        }
    }

    // Counters as what happened in between; gauges as they stood at the end.
    private static StatsPoint Between(StatsSample from, StatsSample to, bool complete) => new(
        Start: from.At,
        End: to.At,
        Complete: complete,
        ActiveConnections: to.ActiveConnections,
        BlockedIps: to.BlockedIps,
        Emails: to.EmailsProcessed - from.EmailsProcessed,
        RateLimitsExceeded: to.RateLimitsExceeded - from.RateLimitsExceeded,
        FailedAuthentications: to.FailedAuthentications - from.FailedAuthentications,
        Flagged: to.FlaggedByFlag
            .Select(flag => (flag.Key, Count: flag.Value - from.FlaggedByFlag.GetValueOrDefault(flag.Key)))
            .Where(flag => flag.Count > 0)
            .OrderBy(flag => flag.Key, StringComparer.Ordinal)
            .ToDictionary(flag => flag.Key, flag => flag.Count, StringComparer.Ordinal));
}

internal enum StatsPeriod
{
    /// <summary>A point a minute.</summary>
    Hour,

    /// <summary>A point an hour.</summary>
    Day,
}

/// <summary>One point of <c>/api/stats/history</c>: from <see cref="Start"/> to <see cref="End"/>.</summary>
internal sealed record StatsPoint(
    DateTimeOffset Start,
    DateTimeOffset End,
    bool Complete,
    long ActiveConnections,
    int BlockedIps,
    long Emails,
    long RateLimitsExceeded,
    long FailedAuthentications,
    IReadOnlyDictionary<string, long> Flagged);
