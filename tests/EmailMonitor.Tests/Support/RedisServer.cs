using System.Diagnostics;
using System.Security.Cryptography;

namespace EmailMonitor.Tests.Support;

/// <summary>
/// A Redis server from Debian's redis-server package, one per test (it starts in milliseconds), on a
/// free loopback port with a password and no persistence. Can be stopped and started again on the
/// same port, as an operator restarting Redis would.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly string _password = RandomNumberGenerator.GetHexString(24, lowercase: true);
    private Process? _process;

    private RedisServer()
    {
        Port = FreePort.Next();
    }

    public int Port { get; }

    /// <summary>REDIS_URL for this server.</summary>
    public string Url => $"redis://:{_password}@127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer();
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo("redis-server",
        [
            "--port", Port.ToString(), "--bind", "127.0.0.1", "--requirepass", _password,
            "--save", "", "--appendonly", "no", "--dir", _directory.Path, "--daemonize", "no", "--loglevel", "warning",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Eventually.TrueAsync(() => FreePort.IsListeningAsync(Port), "redis-server listens", TimeSpan.FromSeconds(20));
    }

    /// <summary>A client of this server, to look at what the instances keep there.</summary>
    public Task<StackExchange.Redis.ConnectionMultiplexer> ConnectAsync() =>
        StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port},password={_password}");

    /// <summary>Kills the server (SIGKILL): clients see their connections drop.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _directory.Dispose();
    }
}
