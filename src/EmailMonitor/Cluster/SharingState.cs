namespace EmailMonitor.Cluster;

/// <summary>
/// Says once that sharing something through Redis stopped working, and once that it works again,
/// so a Redis that refuses writes (full, read-only, an ACL) is seen at the default log level
/// without a line per attempt.
/// </summary>
internal sealed class SharingState(string what, ILogger logger)
{
    private int _failing;

    public void Failed(string reason)
    {
        if (Interlocked.Exchange(ref _failing, 1) == 0)
        {
            logger.NotShared(what, reason);
        }
    }

    public void Worked()
    {
        if (Interlocked.Exchange(ref _failing, 0) == 1)
        {
            logger.SharedAgain(what);
        }
    }
}
