using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace EmailMonitor.LatencyDriver;

/// <summary>
/// The same measurements on three topologies in one run: one instance on SQLite (the default), one
/// on PostgreSQL, and three on PostgreSQL with Redis with the client on an instance that does not
/// watch the mailbox (so every event crosses Redis). For each: APPEND → new_email over the IDLE floor,
/// and how fast a burst dropped into the folder reaches the client. For three instances also the
/// failover: the owner SIGKILLed, one message delivered, until it reaches a client elsewhere.
/// </summary>
internal static class ClusterRun
{
    public static async Task<IReadOnlyList<TopologyResult>> MeasureAsync(DriverOptions options)
    {
        await using var servers = await BenchServers.StartAsync();
        var results = new List<TopologyResult>
        {
            await MeasureAsync(options, servers, "1 instance, SQLite", instances: 1, database: null, redis: false),
            await MeasureAsync(options, servers, "1 instance, PostgreSQL", instances: 1, database: "single", redis: false),
            await MeasureAsync(options, servers, "3 instances, PostgreSQL + Redis, client on a non-owner", instances: 3, database: "three", redis: true),
        };
        return results;
    }

    private static async Task<TopologyResult> MeasureAsync(DriverOptions options, BenchServers servers, string name, int instances, string? database, bool redis)
    {
        await using var environment = await BenchEnvironment.StartDovecotAsync(options.RepositoryRoot);
        var variables = new Dictionary<string, string>
        {
            ["JWT_SECRET_KEY"] = "bench-jwt-secret-bench-jwt-secret-0123456789",
            // The driver polls every instance's health from one address many times a second; at the
            // default budget (100 a minute, shared by the instances) it would be refused and blocked.
            // Nothing measured passes through the limiter.
            ["RATE_LIMIT_REQUESTS"] = "1000000",
        };
        if (database is not null)
        {
            variables["DATABASE_URL"] = await servers.CreateDatabaseAsync(database);
            variables["CREDENTIALS_KEY"] = Convert.ToBase64String(new byte[32]);
        }

        if (redis)
        {
            variables["REDIS_URL"] = servers.RedisUrl;
        }

        var monitors = new Dictionary<string, (Process Process, int Port)>();
        try
        {
            foreach (var instance in Enumerable.Range(1, instances).Select(i => $"i{i}"))
            {
                var port = BenchEnvironment.FreePort();
                monitors[instance] = (environment.StartMonitorProcess(port, instance, new Dictionary<string, string>(variables) { ["INSTANCE_ID"] = instance }), port);
            }

            foreach (var (_, port) in monitors.Values)
            {
                await WaitForHealthAsync(port);
            }

            var owner = await OwnerAsync(monitors);
            await Console.Error.WriteLineAsync($"{name}: {owner} watches the mailbox; measuring");
            var client = monitors.Keys.FirstOrDefault(i => i != owner) ?? owner;
            IReadOnlyList<Sample> latency;
            await using (var run = await LatencyRun.AttachAsync(options, environment, monitors[client].Port))
            {
                latency = await run.MeasureAsync();
            }

            var burst = await BurstAsync(environment, monitors[client].Port, options.Backlog > 0 ? options.Backlog : 1000);
            var failovers = new List<double>();
            for (var trial = 0; instances > 1 && trial < options.Trials; trial++)
            {
                failovers.Add(await FailoverAsync(environment, monitors, variables, trial));
            }

            await Console.Error.WriteLineAsync($"{name}: done");
            return new TopologyResult(name, latency, burst.Count, burst.Elapsed, failovers);
        }
        finally
        {
            foreach (var (process, _) in monitors.Values)
            {
                await BenchEnvironment.StopAsync(process);
            }
        }
    }

    // Kills the owner, drops one message, and times it to a client on a survivor; then brings the
    // killed instance back (it rejoins without the lease) for the next trial.
    private static async Task<double> FailoverAsync(
        BenchEnvironment environment, Dictionary<string, (Process Process, int Port)> monitors, Dictionary<string, string> variables, int trial)
    {
        var owner = await OwnerAsync(monitors);
        var survivor = monitors.Keys.First(i => i != owner);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var socket = await BenchEnvironment.ConnectWebSocketAsync(monitors[survivor].Port, stop.Token);
        var arrived = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var subject = $"failover {trial}";
        var reader = BenchEnvironment.ReadFramesAsync(
            socket,
            (frame, at) =>
            {
                if (frame.GetProperty("type").GetString() == "new_email" && frame.GetProperty("subject").GetString() == subject)
                {
                    arrived.TrySetResult(at);
                }
            },
            stop.Token);

        monitors[owner].Process.Kill();
        var killedAt = Stopwatch.GetTimestamp();
        await Drop(environment, subject, $"failover-{trial}");
        var elapsed = Stopwatch.GetElapsedTime(killedAt, await arrived.Task.WaitAsync(stop.Token)).TotalSeconds;
        await stop.CancelAsync();
        await reader.ContinueWith(_ => { }, TaskScheduler.Default);

        var port = monitors[owner].Port;
        monitors[owner] = (environment.StartMonitorProcess(port, owner, new Dictionary<string, string>(variables) { ["INSTANCE_ID"] = owner }), port);
        await WaitForHealthAsync(port);
        return elapsed;
    }

    private static async Task<(int Count, TimeSpan Elapsed)> BurstAsync(BenchEnvironment environment, int port, int count)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        using var socket = await BenchEnvironment.ConnectWebSocketAsync(port, stop.Token);
        var received = 0;
        var all = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = BenchEnvironment.ReadFramesAsync(
            socket,
            (frame, at) =>
            {
                if (frame.GetProperty("type").GetString() == "new_email"
                    && frame.GetProperty("subject").GetString()!.StartsWith("burst ", StringComparison.Ordinal) && ++received == count)
                {
                    all.TrySetResult(at);
                }
            },
            stop.Token);

        // Written to tmp/ and moved into new/ together, as an MTA delivers: the burst lands at once.
        var tmp = Path.Combine(environment.InboxMaildir, "tmp");
        var names = new List<string>();
        for (var i = 1; i <= count; i++)
        {
            var file = $"{1_800_000_000 + i}.burst{i}.bench";
            await File.WriteAllTextAsync(Path.Combine(tmp, file), Message($"burst {i}", $"burst-{i}"), Encoding.ASCII);
            names.Add(file);
        }

        var started = Stopwatch.GetTimestamp();
        foreach (var file in names)
        {
            File.Move(Path.Combine(tmp, file), Path.Combine(environment.InboxMaildir, "new", file));
        }

        var elapsed = Stopwatch.GetElapsedTime(started, await all.Task.WaitAsync(stop.Token));
        await stop.CancelAsync();
        await reader.ContinueWith(_ => { }, TaskScheduler.Default);
        return (count, elapsed);
    }

    private static Task Drop(BenchEnvironment environment, string subject, string id) =>
        File.WriteAllTextAsync(Path.Combine(environment.InboxMaildir, "new", $"{1_900_000_000}.{id}.bench"), Message(subject, id), Encoding.ASCII);

    private static string Message(string subject, string id) =>
        string.Create(CultureInfo.InvariantCulture, $"From: bench@example.com\r\nTo: monitor@example.com\r\nSubject: {subject}\r\nMessage-ID: <{id}@example.com>\r\n\r\nA short plain-text message.\r\n");

    /// <summary>The instance whose /health/ready shows the folder watched.</summary>
    private static async Task<string> OwnerAsync(Dictionary<string, (Process Process, int Port)> monitors)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 600; attempt++)
        {
            foreach (var (name, (process, port)) in monitors)
            {
                try
                {
                    if (!process.HasExited && (await http.GetStringAsync($"http://127.0.0.1:{port}/health/ready")).Contains("\"state\":\"watching\"", StringComparison.Ordinal))
                    {
                        return name;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("No instance took the mailbox.");
    }

    private static async Task WaitForHealthAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 600; attempt++)
        {
            try
            {
                await http.GetStringAsync($"http://127.0.0.1:{port}/health/live");
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException("The restarted instance did not come up.");
    }
}

internal sealed record TopologyResult(string Name, IReadOnlyList<Sample> Latency, int BurstCount, TimeSpan BurstElapsed, IReadOnlyList<double> FailoverSeconds);
