namespace EmailMonitor.Mail;

/// <summary>
/// How long a folder waits before its next connection attempt. Each delay is drawn uniformly
/// between zero and a ceiling (full jitter), so monitors whose server failed at the same moment
/// spread their attempts instead of arriving together. The ceiling follows how long the trouble
/// has lasted, not how many attempts failed: a fifth of it, at least the initial delay, at most
/// the cap. A short outage or a dropped session is over in seconds; only a long one backs off
/// to the cap (after about five minutes).
/// </summary>
/// <remarks>
/// Counting failed attempts instead made the ceiling 32 s after a 20 s outage (refused connections
/// fail fast) and kept it high after a second drop; the first mail after the server came back
/// then waited up to a minute. Trouble ends when a session has logged in, opened its folder and
/// stayed up for <c>stableSessionLength</c>. A server that drops sessions sooner than that is
/// flapping: its trouble goes on, so it is backed off like an outage and each monitor opens at
/// most one session per stable length against it.
/// </remarks>
internal sealed class ReconnectBackoff(
    TimeSpan initialDelay,
    TimeSpan maxDelay,
    TimeSpan stableSessionLength,
    TimeProvider time,
    Random random)
{
    private const int TroubleShare = 5;

    /// <summary>The backoff of one source, as <paramref name="options"/> set it.</summary>
    public static ReconnectBackoff For(MailOptions options, TimeProvider time) =>
        new(options.ReconnectInitialDelay, options.ReconnectMaxDelay, options.StableSessionLength, time, Random.Shared);

    private long? _troubleSince;
    private long? _establishedAt;
    private int _refusedInARow;

    /// <summary>The session logged in, opened its folder and caught up.</summary>
    public void SessionEstablished()
    {
        _establishedAt = time.GetTimestamp();
        _refusedInARow = 0;
    }

    /// <summary>A whole short session did its work (a POP3 poll): the trouble is over.</summary>
    public void SessionCompleted()
    {
        _establishedAt = null;
        _troubleSince = null;
        _refusedInARow = 0;
    }

    /// <summary>
    /// The wait before the next attempt, after a session ended or could not start.
    /// <paramref name="refused"/>: the server turned the login (or TLS) down. That will not
    /// change in seconds, and retrying fast against a changed password trips account lockouts
    /// at the provider (Microsoft 365 smart lockout, fail2ban), so those attempts back off
    /// exponentially, as attempts did before: 1, 2, 4 … s.
    /// </summary>
    public TimeSpan NextDelay(bool refused = false)
    {
        var now = time.GetTimestamp();
        if (_establishedAt is { } established && time.GetElapsedTime(established, now) >= stableSessionLength)
        {
            _troubleSince = null;
        }

        _establishedAt = null;
        _troubleSince ??= now;
        _refusedInARow = refused ? Math.Min(_refusedInARow + 1, 30) : 0;
        var ceiling = Ceiling(time.GetElapsedTime(_troubleSince.Value, now));
        if (_refusedInARow > 0)
        {
            var doubled = initialDelay * Math.Pow(2, _refusedInARow - 1);
            ceiling = doubled > ceiling ? (doubled < maxDelay ? doubled : maxDelay) : ceiling;
        }

        return TimeSpan.FromTicks((long)(random.NextDouble() * ceiling.Ticks));
    }

    /// <summary>The ceiling of the delay when the trouble has lasted <paramref name="troubleLasted"/>.</summary>
    public TimeSpan Ceiling(TimeSpan troubleLasted)
    {
        var ceiling = initialDelay + (troubleLasted / TroubleShare);
        return ceiling < maxDelay ? ceiling : maxDelay;
    }
}
