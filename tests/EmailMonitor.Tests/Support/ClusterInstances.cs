using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;

namespace EmailMonitor.Tests.Support;

/// <summary>
/// Several service processes sharing one PostgreSQL database (and Redis, when given), each with its
/// own directories and INSTANCE_ID, as they would run behind a load balancer.
/// </summary>
internal sealed class ClusterInstances : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly Dictionary<string, ServiceProcess> _processes = [];

    private ClusterInstances(Dictionary<string, string> shared)
    {
        Shared = shared;
    }

    public Dictionary<string, string> Shared { get; }

    public Dictionary<string, Uri> Uris { get; } = [];

    public HashSet<string> Down { get; } = [];

    public IEnumerable<string> Up => Uris.Keys.Where(name => !Down.Contains(name));

    public static Task<ClusterInstances> StartAsync(DovecotServer dovecot, string? redisUrl, params string[] names) =>
        StartAsync(dovecot, redisUrl, null, names);

    public static async Task<ClusterInstances> StartAsync(DovecotServer dovecot, string? redisUrl, Action<Dictionary<string, string>>? configure, params string[] names)
    {
        var cluster = new ClusterInstances([]);
        foreach (var (name, value) in ServiceHost.DefaultVariables(cluster._directory.Path, dovecot))
        {
            cluster.Shared[name] = value;
        }

        configure?.Invoke(cluster.Shared);

        cluster.Shared["DATABASE_URL"] = PostgresServer.Shared.CreateDatabase();
        if (redisUrl is not null)
        {
            cluster.Shared["REDIS_URL"] = redisUrl;
        }

        foreach (var name in names)
        {
            await cluster.StartAsync(name);
        }

        return cluster;
    }

    public async Task StartAsync(string name)
    {
        var variables = new Dictionary<string, string>(Shared)
        {
            ["INSTANCE_ID"] = name,
            ["DATA_DIR"] = _directory.Combine(name, "data"),
            ["LOG_DIR"] = _directory.Combine(name, "logs"),
        };
        var process = ServiceProcess.Start(variables, _directory.Path);
        _processes[name] = process;
        Uris[name] = await process.ListeningAsync();
        Down.Remove(name);
    }

    public ServiceProcess Process(string name) => _processes[name];

    public async Task KillAsync(string name)
    {
        Down.Add(name);
        await _processes[name].KillAsync();
    }

    public Uri WebSocketUri(string name) => new UriBuilder(Uris[name]) { Scheme = "ws", Path = "/ws" }.Uri;

    /// <summary>An HTTP client of one instance, signed in as the administrator.</summary>
    public Task<HttpClient> AdminAsync(string name) => AdminHttp.SignInAsync(Uris[name], Shared["ADMIN_PASSWORD"]);

    /// <summary>The instance whose /health/ready shows the default mailbox's folder watched.</summary>
    public async Task<string> OwnerAsync(IEnumerable<string> among, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        string? owner = null;
        await Eventually.TrueAsync(
            async () =>
            {
                foreach (var name in among)
                {
                    try
                    {
                        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri(Uris[name], "/health/ready")));
                        var folders = document.RootElement.GetProperty("checks").GetProperty("mailboxes").GetProperty("folders");
                        if (folders.EnumerateArray().Any(f => f.GetProperty("state").GetString() == "watching"))
                        {
                            owner = name;
                            return true;
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                    }
                }

                return false;
            },
            "one instance watches the mailbox",
            timeout);
        TestOutput.WriteLine($"{owner} watches the mailbox ({clock.Elapsed.TotalSeconds:0.0} s)");
        return owner!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (name, process) in _processes)
        {
            await process.DisposeAsync();
            // What each instance said about its leases and the stream: the first thing to read when this fails.
            foreach (var line in process.Output.Split('\n').Where(l => l.Contains("EmailMonitor.Cluster", StringComparison.Ordinal) || l.Contains("EmailMonitor.Mail", StringComparison.Ordinal) || l.Contains("EmailMonitor.Storage", StringComparison.Ordinal) || l.Contains(" WRN ", StringComparison.Ordinal) || l.Contains(" ERR ", StringComparison.Ordinal)))
            {
                TestOutput.WriteLine($"[{name}] {line}");
            }
        }

        _directory.Dispose();
    }
}

/// <summary>
/// A client that follows the stream: connected to one instance, and when that connection drops,
/// to another alive one with resume from the last event it had. Records every connection's frames.
/// </summary>
internal sealed class Follower(ClusterInstances cluster, string first, string password)
{
    private readonly Lock _gate = new();
    private readonly List<List<(string Id, long EventId)>> _connections = [];
    private readonly HashSet<string> _seen = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the first connection has signed in: mail sent after it must all arrive.</summary>
    public Task Ready => _ready.Task;

    public int Seen
    {
        get
        {
            lock (_gate)
            {
                return _seen.Count;
            }
        }
    }

    public IReadOnlyList<IReadOnlyList<(string Id, long EventId)>> Connections
    {
        get
        {
            lock (_gate)
            {
                return [.. _connections.Select(c => (IReadOnlyList<(string, long)>)[.. c])];
            }
        }
    }

    public async Task RunAsync(Func<int> expected, CancellationToken cancellationToken)
    {
        var instance = first;
        long last = 0;
        var reconnecting = false;
        while (Seen < expected())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var frames = new List<(string, long)>();
            try
            {
                await using var client = await WsClient.ConnectAsync(cluster.WebSocketUri(instance));
                await client.LoginAsync(ServiceHost.AdminUsername, password);
                lock (_gate)
                {
                    _connections.Add(frames);
                }

                // A connection after the first resumes from the last event it had (from 0 if none).
                if (reconnecting)
                {
                    await client.SendAsync(new { type = "resume", last_event_id = last });
                }

                _ready.TrySetResult();

                while (Seen < expected())
                {
                    var frame = await client.ReceiveAsync(TimeSpan.FromSeconds(90));
                    if (frame.GetProperty("type").GetString() != "new_email")
                    {
                        continue;
                    }

                    var id = frame.GetProperty("id").GetString()!;
                    last = frame.GetProperty("event_id").GetInt64();
                    lock (_gate)
                    {
                        frames.Add((id, last));
                        _seen.Add(id);
                    }
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or WebSocketException or HttpRequestException or IOException)
            {
                TestOutput.WriteLine($"follower of {first}: connection to {instance} ended ({ex.GetType().Name}: {ex.Message}); moving on");
                reconnecting = true;
                instance = cluster.Up.First(name => name != instance || cluster.Up.Count() == 1);
            }
        }
    }
}
