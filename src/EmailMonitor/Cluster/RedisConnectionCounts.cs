using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using EmailMonitor.Realtime;
using StackExchange.Redis;

namespace EmailMonitor.Cluster;

/// <summary>
/// Each client's WebSocket connections on every instance, in Redis: one hash per client address
/// with a field per process holding its count and until when that count holds. Counts are written
/// within <see cref="FlushInterval"/> of a change and rewritten every <see cref="Refresh"/>, so a
/// process that dies stops counting after <see cref="Lifetime"/> without anyone cleaning up.
/// Admission reads the hash afresh; without Redis each instance's own count is the whole count.
/// </summary>
internal sealed class RedisConnectionCounts(RedisConnection redis, ClusterMessages sealing, TimeProvider time, ILogger<RedisConnectionCounts> logger)
    : BackgroundService, IConnectionsElsewhere
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MostWait = TimeSpan.FromMilliseconds(250);
    private const int MaxCount = 1_000_000;

    private readonly SharingState _sharing = new("Connection counts", logger);
    private readonly ConcurrentDictionary<IPAddress, int> _here = new();
    private readonly ConcurrentDictionary<IPAddress, byte> _changed = new();
    private DateTimeOffset _refreshedAt;

    public async ValueTask<int> CountAsync(IPAddress client, CancellationToken cancellationToken)
    {
        if (!redis.IsConnected || await redis.GetAsync() is not { } connection)
        {
            return 0;
        }

        try
        {
            var fields = await connection.GetDatabase().HashGetAllAsync(KeyOf(client)).WaitAsync(MostWait, time, cancellationToken);
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            // Whoever else writes to this Redis cannot overflow the sum or make a count last.
            var latest = now + (long)(Lifetime * 2).TotalMilliseconds;
            long count = 0;
            var expired = new List<RedisValue>();
            foreach (var field in fields)
            {
                if (field.Name == sealing.Sender)
                {
                    continue;
                }

                if (Parse(field.Value) is var (held, until) && until > now && until <= latest)
                {
                    count += Math.Min(held, MaxCount);
                }
                else
                {
                    expired.Add(field.Name);
                }
            }

            if (expired.Count > 0)
            {
                // Left by processes that died (or written by someone else): the key is kept alive by the living.
                _ = connection.GetDatabase().HashDeleteAsync(KeyOf(client), [.. expired], CommandFlags.FireAndForget);
            }

            _sharing.Worked();
            return (int)Math.Min(count, MaxCount);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _sharing.Failed(ex.GetType().Name);
            return 0;
        }
    }

    public void Report(IPAddress client, int here)
    {
        _here[client] = here;
        _changed[client] = 0;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: the connections are being closed, so this process counts nothing any more.
            await ForgetAllAsync();
        }
    }

    private async Task FlushAsync()
    {
        if (!redis.IsConnected || await redis.GetAsync() is not { } connection)
        {
            // Addresses that left need not be told while Redis is away (their counts there run out
            // on their own): forgotten, so memory holds only addresses still connected.
            foreach (var (client, here) in _here)
            {
                if (here == 0 && _here.TryRemove(KeyValuePair.Create(client, 0)))
                {
                    _changed.TryRemove(client, out _);
                }
            }

            return;
        }

        var now = time.GetUtcNow();
        var all = now - _refreshedAt >= Refresh;
        var clients = all ? _here.Keys.ToList() : [.. _changed.Keys];
        if (all)
        {
            _refreshedAt = now;
        }

        if (clients.Count == 0)
        {
            return;
        }

        var until = (now + Lifetime).ToUnixTimeMilliseconds();
        var batch = connection.GetDatabase().CreateBatch();
        var writes = new List<Task>(clients.Count * 2);
        foreach (var client in clients)
        {
            _changed.TryRemove(client, out _);
            var key = KeyOf(client);
            if (_here.TryGetValue(client, out var here) && here > 0)
            {
                writes.Add(batch.HashSetAsync(key, sealing.Sender, Format(here, until)));
                writes.Add(batch.KeyExpireAsync(key, Lifetime * 2));
            }
            else
            {
                // Removed only if still zero: a connection admitted meanwhile reported again.
                _here.TryRemove(KeyValuePair.Create(client, 0));
                writes.Add(batch.HashDeleteAsync(key, sealing.Sender));
            }
        }

        batch.Execute();
        try
        {
            await Task.WhenAll(writes);
            _sharing.Worked();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _sharing.Failed(ex.GetType().Name);
            foreach (var client in clients)
            {
                _changed[client] = 0;
            }
        }
    }

    private async Task ForgetAllAsync()
    {
        if (!redis.IsConnected || await redis.GetAsync() is not { } connection)
        {
            return;
        }

        try
        {
            var database = connection.GetDatabase();
            await Task.WhenAll(_here.Keys.Select(client => database.HashDeleteAsync(KeyOf(client), sealing.Sender))).WaitAsync(MostWait, time);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // They expire on their own.
            _sharing.Failed(ex.GetType().Name);
        }
    }

    private RedisKey KeyOf(IPAddress client) => redis.Key("connections:" + client);

    private static string Format(int count, long until) =>
        count.ToString(CultureInfo.InvariantCulture) + ":" + until.ToString(CultureInfo.InvariantCulture);

    private static (int Count, long Until)? Parse(RedisValue value)
    {
        var text = value.ToString();
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            && int.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && long.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var until)
            ? (count, until)
            : null;
    }
}
