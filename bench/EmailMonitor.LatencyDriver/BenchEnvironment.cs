using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using MailKit.Net.Imap;
using MailKit.Security;

namespace EmailMonitor.LatencyDriver;

/// <summary>A private Dovecot and the monitor as its own process, both on free loopback ports.</summary>
internal sealed class BenchEnvironment : IAsyncDisposable
{
    public const string User = "bench";
    public const string Password = "bench-password";
    public const string AdminPassword = "bench-admin-password";

    private readonly string _directory = Directory.CreateTempSubdirectory("email-monitor-bench-").FullName;
    private readonly string _script;
    private Process? _dovecot;
    private Process? _monitor;

    private BenchEnvironment(string repositoryRoot)
    {
        _script = Path.Combine(repositoryRoot, "scripts", "dovecot");
        // Dovecot's own processes run as other users and must reach the files under here.
        File.SetUnixFileMode(_directory, (UnixFileMode)0b111_101_101);
    }

    public int ImapPort { get; } = FreePort();

    public int WebPort { get; } = FreePort();

    public string InboxMaildir => Path.Combine(_directory, "dovecot", "mail", User, "Maildir");

    public int MonitorProcessId => _monitor!.Id;

    private string DovecotDirectory => Path.Combine(_directory, "dovecot");

    /// <param name="repositoryRoot">Where scripts/dovecot is.</param>
    /// <param name="extraConfig">Dovecot settings appended to the generated config.</param>
    /// <param name="users">More accounts, each with the password <see cref="PasswordOf"/>.</param>
    public static async Task<BenchEnvironment> StartDovecotAsync(string repositoryRoot, string? extraConfig = null, IEnumerable<string>? users = null)
    {
        var environment = new BenchEnvironment(repositoryRoot);
        await RunAsync(environment._script, "config", environment.DovecotDirectory, Text(environment.ImapPort), Text(FreePort()), User, Password);
        if (extraConfig is not null)
        {
            await File.AppendAllTextAsync(Path.Combine(environment.DovecotDirectory, "dovecot.conf"), "\n" + extraConfig + "\n");
        }

        if (users is not null)
        {
            await File.AppendAllLinesAsync(Path.Combine(environment.DovecotDirectory, "users"), users.Select(user => $"{user}:{{PLAIN}}{PasswordOf(user)}"));
        }

        await environment.RestartDovecotAsync();
        return environment;
    }

    public static string PasswordOf(string user) => $"pw-{user}";

    /// <summary>IMAP sessions open now, over all users, as doveadm who counts them.</summary>
    public async Task<int> ImapSessionsAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("doveadm", ["-c", Path.Combine(DovecotDirectory, "dovecot.conf"), "-f", "flow", "who"]) { RedirectStandardOutput = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Split('\n')
            .Where(line => line.Contains("proto=imap", StringComparison.Ordinal))
            .Select(line => System.Text.RegularExpressions.Regex.Match(line, @"#=(\d+)"))
            .Where(match => match.Success)
            .Sum(match => int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>Starts Dovecot again (its mail is kept) and returns once it accepts connections.</summary>
    public async Task RestartDovecotAsync()
    {
        _dovecot = Process.Start(_script, ["run", DovecotDirectory]);
        await RunAsync(_script, "wait", DovecotDirectory, Text(ImapPort));
    }

    public async Task StopDovecotAsync()
    {
        await StopAsync(_dovecot);
        _dovecot = null;
    }

    /// <summary>Ends every IMAP session of the mailbox user, as an administrator would with doveadm kick.</summary>
    public Task KickAsync() => RunAsync(_script, "kick", DovecotDirectory, User);

    public async Task StartMonitorAsync(IReadOnlyDictionary<string, string>? extraVariables = null)
    {
        _monitor = StartMonitorProcess(WebPort, "data", extraVariables);
        await WaitUntilWatchingAsync();
    }

    /// <summary>
    /// A monitor process at the settings a user gets (LOG_LEVEL INFO included, unless the driver
    /// itself runs with LOG_LEVEL set, which the monitor inherits) on <paramref name="webPort"/>,
    /// its state under <paramref name="name"/>.
    /// </summary>
    public Process StartMonitorProcess(int webPort, string name, IReadOnlyDictionary<string, string>? extraVariables = null)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "email-monitor.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (variable, value) in new Dictionary<string, string>
        {
            ["ENVIRONMENT"] = "development",
            ["DATA_DIR"] = Path.Combine(_directory, name),
            ["LOG_DIR"] = Path.Combine(_directory, name + "-logs"),
            ["WEBSOCKET_HOST"] = "127.0.0.1",
            ["WEBSOCKET_PORT"] = Text(webPort),
            ["EMAIL_SERVER"] = "127.0.0.1",
            ["EMAIL_PORT"] = Text(ImapPort),
            ["EMAIL_SECURITY"] = "none",
            ["EMAIL_USERNAME"] = User,
            ["EMAIL_PASSWORD"] = Password,
            ["ADMIN_PASSWORD"] = AdminPassword,
        })
        {
            start.Environment[variable] = value;
        }

        foreach (var (variable, value) in extraVariables ?? new Dictionary<string, string>())
        {
            start.Environment[variable] = value;
        }

        var monitor = Process.Start(start)!;
        monitor.OutputDataReceived += (_, _) => { };
        monitor.ErrorDataReceived += (_, _) => { };
        monitor.BeginOutputReadLine();
        monitor.BeginErrorReadLine();
        return monitor;
    }

    /// <summary>Returns once /health/ready says every folder is watched.</summary>
    public Task WaitUntilWatchingAsync() => WaitUntilReadyAsync(new Uri($"http://127.0.0.1:{WebPort}/health/ready"));

    public async Task StopMonitorAsync()
    {
        await StopAsync(_monitor);
        _monitor = null;
    }

    /// <summary>The monitor's peak resident memory so far, from /proc.</summary>
    public long MonitorPeakMemoryKilobytes()
    {
        var line = File.ReadLines($"/proc/{_monitor!.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    public async Task<ImapClient> ConnectImapAsync(string user = User, string password = Password)
    {
        var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", ImapPort, SecureSocketOptions.None);
        await client.AuthenticateAsync(user, password);
        return client;
    }

    /// <summary>A WebSocket client of the monitor, logged in as the administrator.</summary>
    public Task<ClientWebSocket> ConnectWebSocketAsync(CancellationToken cancellationToken) => ConnectWebSocketAsync(WebPort, cancellationToken);

    /// <summary>A WebSocket client of the monitor on <paramref name="webPort"/>, logged in as the administrator.</summary>
    public static async Task<ClientWebSocket> ConnectWebSocketAsync(int webPort, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{webPort}/ws"), cancellationToken);
        await SendAsync(socket, new { type = "login", username = "admin", password = AdminPassword }, cancellationToken);
        return socket;
    }

    public static Task SendAsync(ClientWebSocket socket, object message, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(message)), WebSocketMessageType.Text, true, cancellationToken);

    /// <summary>Reads frames until cancelled, handing each to <paramref name="onFrame"/> with the time it arrived.</summary>
    public static async Task ReadFramesAsync(ClientWebSocket socket, Action<JsonElement, long> onFrame, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        while (!cancellationToken.IsCancellationRequested)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                length += result.Count;
            }
            while (!result.EndOfMessage);

            var receivedAt = Stopwatch.GetTimestamp();
            using var frame = JsonDocument.Parse(buffer.AsMemory(0, length));
            onFrame(frame.RootElement, receivedAt);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(_monitor);
        await StopAsync(_dovecot);
        Directory.Delete(_directory, recursive: true);
    }

    private static string Text(int number) => number.ToString(CultureInfo.InvariantCulture);

    private static async Task WaitUntilReadyAsync(Uri ready)
    {
        using var http = new HttpClient();
        for (var attempt = 0; attempt < 1200; attempt++)
        {
            try
            {
                if ((await http.GetStringAsync(ready)).Contains("\"mailboxes\":{\"status\":\"Healthy\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The monitor did not become ready.");
    }

    public static async Task RunAsync(string file, params string[] arguments)
    {
        // Its output (doveadm's "kicked connections from…") would mix into the report.
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true })!;
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}");
        }
    }

    public static async Task StopAsync(Process? process)
    {
        if (process is null || process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", Text(process.Id)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync();
        process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
