using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace EmailMonitor.LatencyDriver;

/// <summary>A private PostgreSQL and Redis from Debian's packages, on free loopback ports, for the cluster runs.</summary>
internal sealed class BenchServers : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("email-monitor-bench-db-").FullName;
    private readonly List<Process> _processes = [];

    public int PostgresPort { get; } = BenchEnvironment.FreePort();

    public int RedisPort { get; } = BenchEnvironment.FreePort();

    public string RedisUrl => $"redis://:bench-redis-password@127.0.0.1:{RedisPort}";

    public static async Task<BenchServers> StartAsync()
    {
        var servers = new BenchServers();
        var bin = Path.Combine(Directory.GetDirectories("/usr/lib/postgresql").Order().Last(), "bin");
        var data = Path.Combine(servers._directory, "pg");
        await File.WriteAllTextAsync(Path.Combine(servers._directory, "pw"), "bench-db-password");
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await BenchEnvironment.RunAsync("chown", "-R", "postgres:postgres", servers._directory);
        }

        string[] Postgres(params string[] command) => asRoot ? ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", .. command] : command;
        var init = Postgres(Path.Combine(bin, "initdb"), "-D", data, "-U", "postgres", "--pwfile", Path.Combine(servers._directory, "pw"), "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C.UTF-8");
        await BenchEnvironment.RunAsync(init[0], init[1..]);
        // Default durability (fsync on): the figures are those a user gets.
        var server = Postgres(Path.Combine(bin, "postgres"), "-D", data, "-p", Text(servers.PostgresPort), "-k", servers._directory, "-c", "listen_addresses=127.0.0.1");
        servers.Start(server[0], server[1..]);
        servers.Start("redis-server", "--port", Text(servers.RedisPort), "--bind", "127.0.0.1", "--requirepass", "bench-redis-password", "--save", "", "--appendonly", "no");
        await WaitForPortAsync(servers.PostgresPort);
        await WaitForPortAsync(servers.RedisPort);
        var create = Postgres(Path.Combine(bin, "createdb"), "-h", servers._directory, "-p", Text(servers.PostgresPort), "-U", "postgres", "ready");
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await BenchEnvironment.RunAsync(create[0], create[1..]);
                break;
            }
            catch (InvalidOperationException) when (attempt < 50)
            {
                // Still starting up: its port opens before it accepts sessions.
                await Task.Delay(100);
            }
        }

        return servers;
    }

    /// <summary>A new database on the private server, as a DATABASE_URL.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        var bin = Path.Combine(Directory.GetDirectories("/usr/lib/postgresql").Order().Last(), "bin");
        string[] command = [Path.Combine(bin, "createdb"), "-h", _directory, "-p", Text(PostgresPort), "-U", "postgres", name];
        if (Environment.UserName == "root")
        {
            command = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", .. command];
        }

        await BenchEnvironment.RunAsync(command[0], command[1..]);
        return $"postgres://postgres:bench-db-password@127.0.0.1:{PostgresPort}/{name}";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await BenchEnvironment.StopAsync(process);
        }

        Directory.Delete(_directory, recursive: true);
    }

    private void Start(string file, params string[] arguments)
    {
        var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }

    private static async Task WaitForPortAsync(int port)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"Nothing listens on port {port}.");
    }

    private static string Text(int number) => number.ToString(CultureInfo.InvariantCulture);
}
