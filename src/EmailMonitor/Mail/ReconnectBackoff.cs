namespace EmailMonitor.Mail;

/// <summary>
/// Exponential backoff with full jitter: each delay is uniform between zero and a ceiling that
/// doubles per failed session up to a cap, so many monitors reconnecting to a recovering server
/// spread out instead of arriving together. A session that stayed up long enough resets it.
/// </summary>
internal sealed class ReconnectBackoff(TimeSpan initialDelay, TimeSpan maxDelay, TimeSpan healthySessionLength, Random random)
{
    private int _failures;

    public TimeSpan NextDelay(TimeSpan sessionLength)
    {
        if (sessionLength >= healthySessionLength)
        {
            _failures = 0;
        }

        var ceiling = Ceiling(_failures);
        _failures = Math.Min(_failures + 1, 30);
        return TimeSpan.FromTicks((long)(random.NextDouble() * ceiling.Ticks));
    }

    public TimeSpan Ceiling(int failures)
    {
        var ticks = initialDelay.Ticks * Math.Pow(2, failures);
        return ticks >= maxDelay.Ticks ? maxDelay : TimeSpan.FromTicks((long)ticks);
    }
}
