using System.Diagnostics;
using System.Globalization;
using MailKit;
using MimeKit;

namespace EmailMonitor.LatencyDriver;

/// <summary>
/// One email to many clients, next to a bare Kestrel WebSocket server (bench/EmailMonitor.BareWebSocket)
/// holding as many connections from the same crowd and sending them the same bytes. For each:
/// resident memory per idle connection (growth from before the crowd connected), and per email
/// the time from its first arrival at a client to its last.
/// </summary>
internal static class FanOutRun
{
    public static async Task<FanOutReport> MeasureAsync(DriverOptions options)
    {
        var clients = options.Clients;
        // Quiet before each memory reading, so start-up and connection work has settled.
        var settle = TimeSpan.FromSeconds(options.SettleSeconds);
        await using var environment = await BenchEnvironment.StartDovecotAsync(options.RepositoryRoot);
        // The one setting changed from the defaults: room for the crowd (and the driver's own client).
        await environment.StartMonitorAsync(new Dictionary<string, string> { ["MAX_CONNECTIONS"] = (clients + 10).ToString(CultureInfo.InvariantCulture) });
        using var stop = new CancellationTokenSource();
        using var watcher = await BenchEnvironment.ConnectWebSocketAsync(environment.WebPort, stop.Token);
        byte[]? frameBytes = null;
        var watching = BenchEnvironment.ReadFramesAsync(watcher, (frame, _) =>
        {
            if (frame.GetProperty("type").GetString() == "new_email")
            {
                frameBytes ??= System.Text.Encoding.UTF8.GetBytes(frame.GetRawText());
            }
        }, stop.Token);

        await Task.Delay(settle);
        var monitorBefore = ProcessSample.Read(environment.MonitorProcessId);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{environment.WebPort}") };
        var token = await ScaleRun.SignInAsync(http);
        var monitor = new List<FanOutTrial>();
        ProcessSample monitorAfter;
        await using (var crowd = await Crowd.ConnectAsync(environment.WebPort, "/ws", token, clients))
        {
            await Task.Delay(settle);
            monitorAfter = ProcessSample.Read(environment.MonitorProcessId);
            using var appender = await environment.ConnectImapAsync();
            for (var trial = 1; trial <= options.Trials; trial++)
            {
                var message = new MimeMessage();
                message.From.Add(new MailboxAddress("Bench", "bench@example.com"));
                message.To.Add(new MailboxAddress("Monitor", "monitor@example.com"));
                message.Subject = $"fan-out {trial}";
                message.Body = new TextPart("plain") { Text = "A short plain-text message, like most mail a monitor sees." };
                var sent = Stopwatch.GetTimestamp();
                await appender.Inbox.AppendAsync(message, MessageFlags.None);
                monitor.Add(FanOutTrial.Of(sent, await crowd.ArrivalsOfAsync(trial)));
                await Task.Delay(settle / 5);
            }
        }

        await stop.CancelAsync();
        watcher.Abort();
        await watching.ContinueWith(_ => { }, TaskScheduler.Default);
        await environment.StopMonitorAsync();
        var bytes = frameBytes ?? throw new InvalidOperationException("The driver's own client had no new_email.");

        var port = BenchEnvironment.FreePort();
        using var bare = StartBareServer(port);
        try
        {
            using var bareHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitForAsync(bareHttp);
            await Task.Delay(settle);
            var bareBefore = ProcessSample.Read(bare.Id);
            var baseline = new List<FanOutTrial>();
            ProcessSample bareAfter;
            await using (var crowd = await Crowd.ConnectAsync(port, "/", null, clients))
            {
                await WaitForAsync(bareHttp, clients);
                await Task.Delay(settle);
                bareAfter = ProcessSample.Read(bare.Id);
                for (var trial = 1; trial <= options.Trials; trial++)
                {
                    var sent = Stopwatch.GetTimestamp();
                    using var content = new ByteArrayContent(bytes);
                    (await bareHttp.PostAsync("/broadcast", content)).EnsureSuccessStatusCode();
                    baseline.Add(FanOutTrial.Of(sent, await crowd.ArrivalsOfAsync(trial)));
                    await Task.Delay(settle / 5);
                }
            }

            return new FanOutReport(clients, bytes.Length, monitorBefore, monitorAfter, monitor, bareBefore, bareAfter, baseline);
        }
        finally
        {
            bare.Kill();
            await bare.WaitForExitAsync();
        }
    }

    /// <summary>The bare server, which ends when this process closes its standard input (or ends).</summary>
    public static Process StartBareServer(int port) =>
        Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "EmailMonitor.BareWebSocket.dll"), port.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardInput = true,
        })!;

    /// <summary>Returns once the bare server answers and holds at least <paramref name="connections"/> sockets.</summary>
    public static async Task WaitForAsync(HttpClient bare, int connections = 0)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            try
            {
                if (int.Parse(await bare.GetStringAsync("/count"), CultureInfo.InvariantCulture) >= connections)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The bare WebSocket server did not start or hold {connections} connections within 30 s.");
    }
}

/// <summary>One email's arrivals: from the send (APPEND, or the broadcast request) to the first client, and from the first client to the last.</summary>
internal sealed record FanOutTrial(double ToFirstMs, double MedianMs, double FirstToLastMs, int Missing)
{
    public static FanOutTrial Of(long sent, long[] arrivals)
    {
        var arrived = arrivals.Where(at => at >= 0).Order().ToArray();
        if (arrived.Length == 0)
        {
            return new FanOutTrial(double.NaN, double.NaN, double.NaN, arrivals.Length);
        }

        return new FanOutTrial(
            Stopwatch.GetElapsedTime(sent, arrived[0]).TotalMilliseconds,
            Stopwatch.GetElapsedTime(arrived[0], arrived[arrived.Length / 2]).TotalMilliseconds,
            Stopwatch.GetElapsedTime(arrived[0], arrived[^1]).TotalMilliseconds,
            arrivals.Length - arrived.Length);
    }
}

internal sealed record FanOutReport(
    int Clients,
    int FrameBytes,
    ProcessSample MonitorBefore,
    ProcessSample MonitorAfter,
    IReadOnlyList<FanOutTrial> Monitor,
    ProcessSample BareBefore,
    ProcessSample BareAfter,
    IReadOnlyList<FanOutTrial> Bare);
