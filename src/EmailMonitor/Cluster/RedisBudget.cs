using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using EmailMonitor.Security;
using StackExchange.Redis;

namespace EmailMonitor.Cluster;

/// <summary>
/// Client budgets counted by all instances together in Redis, in fixed windows. The request path
/// never waits for Redis: spending is counted locally and added to the shared count every
/// <see cref="FlushInterval"/>, and each flush brings back what all instances spent. A budget spent
/// on one instance is therefore spent on all within a flush, give or take the requests of that
/// moment. Without Redis (down, restarting) each instance's own limiter still holds.
/// </summary>
internal sealed class RedisBudget(RedisConnection redis, TimeProvider time, ILogger<RedisBudget> logger) : BackgroundService, ISharedBudget
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(100);

    // Beyond this many windows counted at once (a flood from many addresses), new ones are left to
    // each instance's own limiter: memory stays bounded, and those limits still hold.
    private const int MaxCounters = 100_000;

    private readonly ConcurrentDictionary<Window, Counter> _counters = new();
    private readonly SharingState _sharing = new("Client budgets and violation counts", logger);

    public bool TrySpend(string budget, IPAddress client, int limit, TimeSpan window)
    {
        var key = new Window(budget, client, Index(window), window);
        if (!_counters.TryGetValue(key, out var counter))
        {
            if (_counters.Count >= MaxCounters)
            {
                return true;
            }

            counter = _counters.GetOrAdd(key, static _ => new Counter());
        }

        var pending = Interlocked.Increment(ref counter.Pending);
        if (Volatile.Read(ref counter.SpentEverywhere) + pending <= limit)
        {
            return true;
        }

        // Refused: it did not spend anything.
        Interlocked.Decrement(ref counter.Pending);
        return false;
    }

    public void Forget(string budget, IPAddress client, TimeSpan window)
    {
        var key = new Window(budget, client, Index(window), window);
        _counters.TryRemove(key, out _);
        if (redis.IsConnected)
        {
            _ = ForgetAsync(key);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await FlushAsync();
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                _sharing.Failed(ex.GetType().Name);
            }
        }
    }

    private async Task FlushAsync()
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var window in _counters.Keys.Where(w => (w.Index + 1) * (long)w.Length.TotalMilliseconds < now))
        {
            // Pruned whether or not Redis is up: many addresses must not grow memory while it is down.
            _counters.TryRemove(window, out _);
        }

        if (await redis.GetAsync() is not { IsConnected: true } connection)
        {
            return;
        }

        var database = connection.GetDatabase();
        var batch = database.CreateBatch();
        var sent = new List<(Counter Counter, long Count, Task<long> Total)>();
        foreach (var (window, counter) in _counters)
        {
            // A client that spends nothing here needs nothing from there.
            var count = Interlocked.Exchange(ref counter.Pending, 0);
            if (count == 0)
            {
                continue;
            }

            var key = KeyOf(window);
            sent.Add((counter, count, batch.StringIncrementAsync(key, count)));
            _ = batch.KeyExpireAsync(key, window.Length * 2);
        }

        batch.Execute();
        foreach (var (counter, count, total) in sent)
        {
            try
            {
                Volatile.Write(ref counter.SpentEverywhere, await total);
                _sharing.Worked();
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Not counted there: counted again next time.
                Interlocked.Add(ref counter.Pending, count);
                _sharing.Failed(ex.GetType().Name);
            }
        }
    }

    private async Task ForgetAsync(Window window)
    {
        try
        {
            if (await redis.GetAsync() is { } connection)
            {
                await connection.GetDatabase().KeyDeleteAsync(KeyOf(window));
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _sharing.Failed(ex.GetType().Name);
        }
    }

    private long Index(TimeSpan window) => time.GetUtcNow().ToUnixTimeMilliseconds() / (long)window.TotalMilliseconds;

    private RedisKey KeyOf(Window window) =>
        redis.Key($"budget:{window.Budget}:{window.Client}:{window.Index.ToString(CultureInfo.InvariantCulture)}");

    private sealed record Window(string Budget, IPAddress Client, long Index, TimeSpan Length);

    private sealed class Counter
    {
        public long Pending;
        public long SpentEverywhere;
    }
}
