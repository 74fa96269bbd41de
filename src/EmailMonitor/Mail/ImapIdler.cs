using MailKit.Net.Imap;

namespace EmailMonitor.Mail;

/// <summary>
/// One IMAP session's IDLE: renewed every <see cref="MailOptions.IdleRenewInterval"/>, ended at
/// once by <see cref="Wake"/> when the server announces news, and given up as a dead connection
/// when DONE gets no answer within <see cref="MailOptions.CommandTimeout"/>.
/// </summary>
internal sealed class ImapIdler(MailOptions options, TimeProvider time)
{
    private int _woken;
    private CancellationTokenSource? _done;

    /// <summary>News arrived: end the IDLE under way now, or skip the next one.</summary>
    public void Wake()
    {
        Interlocked.Exchange(ref _woken, 1);
        try
        {
            Volatile.Read(ref _done)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // That IDLE already ended; the flag alone makes the next wait return at once.
        }
    }

    /// <summary>Forgets news already seen to: called before fetching, so news that arrives meanwhile still counts.</summary>
    public void Reset() => Interlocked.Exchange(ref _woken, 0);

    /// <summary>IDLEs until woken (true) or until it is time to renew (false).</summary>
    public async Task<bool> IdleAsync(ImapClient client, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _woken, 0) == 1)
        {
            return true;
        }

        using var done = new CancellationTokenSource(options.IdleRenewInterval, time);
        using var watchdog = new CancellationTokenSource(options.IdleRenewInterval + options.CommandTimeout, time);
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, watchdog.Token);
        Volatile.Write(ref _done, done);
        try
        {
            await client.IdleAsync(done.Token, abort.Token);
        }
        catch (OperationCanceledException) when (watchdog.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the server did not end IDLE within {options.CommandTimeout.TotalSeconds:0} s of DONE; the connection is dead");
        }
        finally
        {
            Volatile.Write(ref _done, null);
        }

        return Interlocked.Exchange(ref _woken, 0) == 1;
    }
}
