using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace EmailMonitor.LatencyDriver;

/// <summary>
/// One address floods the monitor with HTTP requests over many connections while another
/// client, from another address, times WebSocket ping round trips: before the flood, and during
/// it. The budget is 1,000 requests a minute per address (the quiet client stays inside it), so
/// after its first second nearly every flood request is refused; the question is what refusing
/// costs everyone else. With --flood-logins, 64 addresses instead post failed logins at the
/// default settings, each of which may cost a deliberately slow password hash.
/// </summary>
internal static class FloodRun
{
    private const string FloodAddress = "127.0.0.17";
    private const int FloodConnections = 32;
    private const int LoginFloodAddresses = 64;

    public static async Task<FloodResult> MeasureAsync(DriverOptions options)
    {
        await using var environment = await BenchEnvironment.StartDovecotAsync(options.RepositoryRoot);
        // The request flooder is never blocked outright: refusing it with 429 for the whole run is
        // the harder case (a block is answered 403, just as cheaply). The login flood meets the defaults.
        await environment.StartMonitorAsync(options.LoginFlood ? null : new Dictionary<string, string>
        {
            ["RATE_LIMIT_REQUESTS"] = "1000",
            ["RATE_LIMIT_WINDOW"] = "60",
            ["AUTO_BLOCK_THRESHOLD"] = "1000000",
        });
        using var quiet = await environment.ConnectWebSocketAsync(CancellationToken.None);
        await ReceiveTypeAsync(quiet, "auth_success");

        for (var i = 0; i < options.Warmup; i++)
        {
            await PingAsync(quiet);
        }

        var before = new List<double>();
        for (var i = 0; i < options.Messages; i++)
        {
            before.Add(await PingAsync(quiet));
            await Task.Delay(options.Gap);
        }

        // Requests: 32 connections from one address. Logins: as a spread-out attacker, 2 connections
        // from each of 64 addresses, each attempt a made-up name with a wrong password.
        var target = new Uri($"http://127.0.0.1:{environment.WebPort}");
        List<HttpClient> flooders = options.LoginFlood
            ? [.. Enumerable.Range(1, LoginFloodAddresses).Select(i => new HttpClient(FromAddress($"127.2.0.{i}")) { BaseAddress = target })]
            : [new HttpClient(FromAddress(FloodAddress)) { BaseAddress = target }];
        using var stop = new CancellationTokenSource();
        var statuses = new Dictionary<HttpStatusCode, long>();
        var flood = options.LoginFlood
            ? flooders.SelectMany(flooder => Enumerable.Range(0, 2).Select(_ => Task.Run(() => FloodAsync(flooder, LoginAttempt, statuses, stop.Token)))).ToList()
            : Enumerable.Range(0, FloodConnections).Select(_ => Task.Run(() => FloodAsync(flooders[0], Stats, statuses, stop.Token))).ToList();
        // Let every flood connection get going, and the budget be spent, before timing.
        await Task.Delay(1000);

        var monitorBefore = ProcessSample.Read(environment.MonitorProcessId);
        var floodStarted = Stopwatch.GetTimestamp();
        var during = new List<double>();
        for (var i = 0; i < options.Messages; i++)
        {
            during.Add(await PingAsync(quiet));
            await Task.Delay(options.Gap);
        }

        var floodSeconds = Stopwatch.GetElapsedTime(floodStarted).TotalSeconds;
        var monitorAfter = ProcessSample.Read(environment.MonitorProcessId);
        long answeredBefore;
        lock (statuses)
        {
            answeredBefore = statuses.Values.Sum();
        }

        await stop.CancelAsync();
        await Task.WhenAll(flood);
        foreach (var flooder in flooders)
        {
            flooder.Dispose();
        }

        lock (statuses)
        {
            return new FloodResult(
                before, during, new Dictionary<HttpStatusCode, long>(statuses), answeredBefore / (floodSeconds + 1), answeredBefore,
                options.LoginFlood, (monitorAfter.CpuTime - monitorBefore.CpuTime).TotalSeconds / floodSeconds * 100);
        }
    }

    private static Task<HttpResponseMessage> Stats(HttpClient flooder, CancellationToken cancellationToken) => flooder.GetAsync("/api/stats", cancellationToken);

    private static Task<HttpResponseMessage> LoginAttempt(HttpClient flooder, CancellationToken cancellationToken) =>
        flooder.PostAsync(
            "/api/auth/login",
            new StringContent(
                string.Create(CultureInfo.InvariantCulture, $"{{\"username\":\"guess{Random.Shared.Next()}\",\"password\":\"wrong-{Random.Shared.Next()}\"}}"),
                Encoding.UTF8,
                "application/json"),
            cancellationToken);

    private static async Task FloodAsync(
        HttpClient flooder, Func<HttpClient, CancellationToken, Task<HttpResponseMessage>> request, Dictionary<HttpStatusCode, long> statuses, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var response = await request(flooder, cancellationToken);
                lock (statuses)
                {
                    statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task<double> PingAsync(ClientWebSocket socket)
    {
        var started = Stopwatch.GetTimestamp();
        await BenchEnvironment.SendAsync(socket, new { type = "ping" }, CancellationToken.None);
        await ReceiveTypeAsync(socket, "pong");
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static async Task ReceiveTypeAsync(ClientWebSocket socket, string type)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException($"The monitor closed the quiet client: {socket.CloseStatus} {socket.CloseStatusDescription}");
            }

            if (Encoding.UTF8.GetString(buffer, 0, result.Count).Contains($"\"type\":\"{type}\"", StringComparison.Ordinal))
            {
                return;
            }
        }
    }

    private static SocketsHttpHandler FromAddress(string localAddress) => new()
    {
        MaxConnectionsPerServer = FloodConnections,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    };
}

internal sealed record FloodResult(
    IReadOnlyList<double> PingsBefore,
    IReadOnlyList<double> PingsDuring,
    IReadOnlyDictionary<HttpStatusCode, long> FloodStatuses,
    double FloodRequestsPerSecond,
    long FloodAnsweredWhileTiming,
    bool Logins,
    double MonitorCpuPercentDuring);
