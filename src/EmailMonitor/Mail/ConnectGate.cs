namespace EmailMonitor.Mail;

/// <summary>
/// Bounds how many sessions are being opened (DNS, TCP, TLS, login) at once across all mailboxes,
/// so a start with hundreds of mailboxes, or their return after an outage, queues instead of
/// opening every handshake in the same second.
/// </summary>
internal sealed class ConnectGate(int concurrency) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(concurrency, concurrency);

    public async Task<T> RunAsync<T>(Func<Task<T>> connect, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            return await connect();
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
