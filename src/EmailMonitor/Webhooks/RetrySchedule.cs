namespace EmailMonitor.Webhooks;

/// <summary>
/// When a failed delivery is tried again (CONTRACT §8): about 1 s, 5 s and 30 s after the first
/// failures, so a receiver that blinked gets the event at once; then a minute, doubling up to an
/// hour, each drawn between half and all of that ("equal jitter"), so receivers coming back after
/// an outage are not hit by every sender at the same moment. After 24 h of failures it is dead.
/// </summary>
internal static class RetrySchedule
{
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromHours(24);

    private static readonly TimeSpan[] Soon = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)];
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan LongestBackoff = TimeSpan.FromHours(1);

    /// <summary>How long after its <paramref name="failures"/>-th failed attempt a delivery is tried again.</summary>
    public static TimeSpan Delay(int failures, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        if (failures <= Soon.Length)
        {
            // ±20 %: still "about" the promised moment.
            return Soon[failures - 1] * (0.8 + (0.4 * random.NextDouble()));
        }

        var doublings = Math.Min(failures - Soon.Length - 1, 10);
        var ceiling = TimeSpan.FromTicks(Math.Min(FirstBackoff.Ticks << doublings, LongestBackoff.Ticks));
        return (ceiling / 2) + (ceiling / 2 * random.NextDouble());
    }

    /// <summary>When to try again after a failure at <paramref name="now"/>, or null when the delivery is dead.</summary>
    public static DateTimeOffset? Next(DateTimeOffset firstAttempt, int failures, DateTimeOffset now, Random random)
    {
        var giveUpAt = firstAttempt + GiveUpAfter;
        if (now >= giveUpAt)
        {
            return null;
        }

        // The last try falls at the 24 h mark, not short of it.
        var next = now + Delay(failures, random);
        return next < giveUpAt ? next : giveUpAt;
    }
}
