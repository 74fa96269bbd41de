using System.Diagnostics;
using System.Security.Cryptography;
using Npgsql;

namespace EmailMonitor.Tests.Support;

/// <summary>
/// A PostgreSQL server from Debian's packages, started once per test run on a free loopback port
/// with its own data directory and a password, and stopped when the run ends. Each test gets a
/// database of its own (<see cref="CreateDatabase"/>).
/// </summary>
internal sealed class PostgresServer
{
    /// <summary>Set to <c>postgresql</c> to run every service the tests start on PostgreSQL instead of SQLite.</summary>
    public const string EngineVariable = "EMAIL_MONITOR_TEST_ENGINE";

    private const string Superuser = "postgres";
    private static readonly Lazy<PostgresServer> SharedServer = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly Process _process;
    private readonly string _password;

    private PostgresServer(Process process, int port, string password, string directory)
    {
        _process = process;
        Port = port;
        _password = password;
        Directory = directory;
    }

    public static PostgresServer Shared => SharedServer.Value;

    /// <summary>True when the run asked for every service to use PostgreSQL.</summary>
    public static bool EveryService => Environment.GetEnvironmentVariable(EngineVariable) == "postgresql";

    public int Port { get; }

    public string Directory { get; }

    /// <summary>A new, empty database, as a DATABASE_URL.</summary>
    public string CreateDatabase()
    {
        var name = "t_" + RandomNumberGenerator.GetHexString(12, lowercase: true);
        using var connection = new NpgsqlConnection(AdminConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        command.ExecuteNonQuery();
        return $"postgres://{Superuser}:{_password}@127.0.0.1:{Port}/{name}";
    }

    private string AdminConnectionString =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = Superuser, Password = _password, Database = "postgres", Pooling = false }.ConnectionString;

    private static PostgresServer Start()
    {
        var bin = System.IO.Directory.GetDirectories("/usr/lib/postgresql").Order().LastOrDefault() is { } version
            ? Path.Combine(version, "bin")
            : throw new InvalidOperationException("PostgreSQL is not installed (Debian package postgresql); scripts/test installs it");
        var directory = System.IO.Directory.CreateTempSubdirectory("email-monitor-postgres-").FullName;
        var password = RandomNumberGenerator.GetHexString(24, lowercase: true);
        File.WriteAllText(Path.Combine(directory, "password"), password);
        // PostgreSQL refuses to run as root: as root, the server runs as Debian's postgres user.
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            Run("chown", "-R", "postgres:postgres", directory);
        }

        var data = Path.Combine(directory, "data");
        Run(asRoot, Path.Combine(bin, "initdb"), "-D", data, "-U", Superuser, "--pwfile", Path.Combine(directory, "password"),
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");

        var port = FreePort.Next();
        var arguments = new List<string>
        {
            Path.Combine(bin, "postgres"), "-D", data, "-p", port.ToString(), "-k", directory,
            "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=500",
            // A test database never outlives the run: no need to survive power loss.
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
        };
        // setpriv execs the server in its own place (runuser would stay its parent), so the signal
        // that stops it reaches PostgreSQL itself.
        var start = asRoot
            ? new ProcessStartInfo("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", .. arguments])
            : new ProcessStartInfo(arguments[0], arguments[1..]);
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(process, directory);

        var server = new PostgresServer(process, port, password, directory);
        server.WaitUntilReady();
        return server;
    }

    private void WaitUntilReady()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var connection = new NpgsqlConnection(AdminConnectionString);
                connection.Open();
                return;
            }
            catch (NpgsqlException) when (deadline.Elapsed < TimeSpan.FromSeconds(30) && !_process.HasExited)
            {
                // The server is still starting: its socket opens a moment after the process does.
                Thread.Sleep(100);
            }
        }
    }

    private static void Stop(Process process, string directory)
    {
        try
        {
            // SIGQUIT: PostgreSQL's immediate shutdown; nothing here needs to survive.
            using (var quit = Process.Start("kill", ["-QUIT", process.Id.ToString()]))
            {
                quit.WaitForExit();
            }

            process.WaitForExit(10_000);
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
        }
    }

    private static void Run(string file, params string[] arguments) => Run(false, file, arguments);

    private static void Run(bool asPostgres, string file, params string[] arguments)
    {
        var start = asPostgres ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", file, .. arguments]) : new ProcessStartInfo(file, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {errors}");
        }
    }
}
