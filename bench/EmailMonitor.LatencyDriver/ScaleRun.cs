using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace EmailMonitor.LatencyDriver;

/// <summary>
/// Many mailboxes on one machine: N accounts on the private Dovecot with F folders each, added to
/// the monitor through the API while it runs, then the monitor restarted with all of them
/// (connections opened at most 8 at once). Reports the time until every folder is watched, the
/// IMAP sessions it holds, resident memory and threads, and CPU at idle, next to a plain MailKit
/// process holding the same sessions (the floor).
/// </summary>
internal static class ScaleRun
{
    public static string UserName(int index) => string.Create(CultureInfo.InvariantCulture, $"mb{index:D3}");

    public static string FolderName(int index) => string.Create(CultureInfo.InvariantCulture, $"Folder{index}");

    public static async Task<ScaleReport> MeasureAsync(DriverOptions options)
    {
        var users = Enumerable.Range(1, options.Mailboxes).Select(UserName).ToList();
        // Room for every session: Dovecot's defaults allow 100 processes per service.
        await using var environment = await BenchEnvironment.StartDovecotAsync(
            options.RepositoryRoot, "default_process_limit = 2000\ndefault_client_limit = 20000\n", users);
        await CreateFoldersAsync(environment, users, options.Folders);

        await environment.StartMonitorAsync();
        await Task.Delay(TimeSpan.FromSeconds(10));
        var (baseline, baselineCpu) = await ProcessSample.IdleAsync(environment.MonitorProcessId, options.IdleWindow);

        using var signIn = From(environment, 2);
        var token = await SignInAsync(signIn);
        var folders = Enumerable.Range(1, options.Folders).Select(f => f == 1 ? "INBOX" : FolderName(f)).ToArray();
        var adding = Stopwatch.GetTimestamp();
        foreach (var (user, index) in users.Select((user, index) => (user, index)))
        {
            // The default rate limit is 100 requests a minute per address: 50 from each loopback address.
            using var http = From(environment, 3 + (index / 50));
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.PostAsJsonAsync("/api/admin/mailboxes", new
            {
                name = user,
                host = "127.0.0.1",
                port = environment.ImapPort,
                security = "none",
                username = user,
                password = BenchEnvironment.PasswordOf(user),
                folders,
            });
            response.EnsureSuccessStatusCode();
        }

        await environment.WaitUntilWatchingAsync();
        var added = Stopwatch.GetElapsedTime(adding);
        await Task.Delay(TimeSpan.FromSeconds(10));
        var (running, runningCpu) = await ProcessSample.IdleAsync(environment.MonitorProcessId, options.IdleWindow);
        var runningSessions = await environment.ImapSessionsAsync();

        await environment.StopMonitorAsync();
        var restarting = Stopwatch.GetTimestamp();
        await environment.StartMonitorAsync();
        var restarted = Stopwatch.GetElapsedTime(restarting);
        await Task.Delay(TimeSpan.FromSeconds(10));
        var (afterRestart, afterRestartCpu) = await ProcessSample.IdleAsync(environment.MonitorProcessId, options.IdleWindow);
        var afterRestartSessions = await environment.ImapSessionsAsync();
        await environment.StopMonitorAsync();

        var floor = await MeasureFloorAsync(environment, options);
        return new ScaleReport(
            options.Mailboxes, options.Folders, options.IdleWindow,
            baseline, baselineCpu, added, running, runningCpu, runningSessions,
            restarted, afterRestart, afterRestartCpu, afterRestartSessions,
            floor.Before, floor.Sample, floor.Cpu, floor.Sessions);
    }

    /// <summary>An HTTP client of the monitor whose connections come from 127.0.0.<paramref name="lastByte"/>.</summary>
    private static HttpClient From(BenchEnvironment environment, int lastByte) =>
        new(new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                socket.Bind(new System.Net.IPEndPoint(new System.Net.IPAddress([127, 0, 0, (byte)lastByte]), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{environment.WebPort}"),
        };

    private static async Task CreateFoldersAsync(BenchEnvironment environment, IEnumerable<string> users, int folders)
    {
        foreach (var user in users)
        {
            using var client = await environment.ConnectImapAsync(user, BenchEnvironment.PasswordOf(user));
            var root = client.GetFolder(client.PersonalNamespaces[0]);
            for (var f = 2; f <= folders; f++)
            {
                await root.CreateAsync(FolderName(f), isMessageFolder: true);
            }

            await client.DisconnectAsync(true);
        }
    }

    public static async Task<string> SignInAsync(HttpClient http)
    {
        using var response = await http.PostAsJsonAsync("/api/auth/login", new { username = "admin", password = BenchEnvironment.AdminPassword });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("access_token").GetString()!;
    }

    // The floor runs with the monitor's garbage collector (server GC, as ASP.NET Core sets it), so memory compares like with like.
    private static async Task<(long Before, ProcessSample Sample, double Cpu, int Sessions)> MeasureFloorAsync(BenchEnvironment environment, DriverOptions options)
    {
        var start = new ProcessStartInfo("dotnet", [typeof(ScaleRun).Assembly.Location, "--imap-floor",
            environment.ImapPort.ToString(CultureInfo.InvariantCulture), options.Mailboxes.ToString(CultureInfo.InvariantCulture), options.Folders.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
        };
        start.Environment["DOTNET_gcServer"] = "1";
        using var floor = Process.Start(start)!;
        try
        {
            var before = long.Parse((await floor.StandardOutput.ReadLineAsync())!.Split(' ')[1], CultureInfo.InvariantCulture);
            if (await floor.StandardOutput.ReadLineAsync() != "ready")
            {
                throw new InvalidOperationException("The floor did not connect its clients.");
            }

            await Task.Delay(TimeSpan.FromSeconds(10));
            var (sample, cpu) = await ProcessSample.IdleAsync(floor.Id, options.IdleWindow);
            return (before, sample, cpu, await environment.ImapSessionsAsync());
        }
        finally
        {
            floor.Kill();
            await floor.WaitForExitAsync();
        }
    }
}

internal sealed record ScaleReport(
    int Mailboxes,
    int Folders,
    TimeSpan IdleWindow,
    ProcessSample Baseline,
    double BaselineCpu,
    TimeSpan AddedIn,
    ProcessSample Running,
    double RunningCpu,
    int RunningSessions,
    TimeSpan RestartedIn,
    ProcessSample AfterRestart,
    double AfterRestartCpu,
    int AfterRestartSessions,
    long FloorBeforeKilobytes,
    ProcessSample Floor,
    double FloorCpu,
    int FloorSessions);
