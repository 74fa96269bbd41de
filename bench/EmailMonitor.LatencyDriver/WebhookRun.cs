using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MailKit;
using MimeKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EmailMonitor.LatencyDriver;

/// <summary>
/// Webhooks next to the WebSocket in one run: per message, APPEND → the IDLE floor, new_email at a
/// WebSocket client and the delivery at a webhook receiver (Kestrel in this process), all on this
/// process's clock; then a burst dropped into the Maildir at once, delivered to two live receivers
/// and one dead one (nothing listens on its port), timed to the last delivery at each live one and
/// to the last new_email at the WebSocket client.
/// </summary>
internal static class WebhookRun
{
    public static async Task<WebhookFigures> MeasureAsync(DriverOptions options)
    {
        await using var environment = await BenchEnvironment.StartDovecotAsync(options.RepositoryRoot);
        await environment.StartMonitorAsync(new Dictionary<string, string> { ["WEBHOOK_ALLOW_PRIVATE"] = "true" });
        await using var first = await Receiver.StartAsync();
        await using var second = await Receiver.StartAsync();
        using var admin = await AdminAsync(environment.WebPort);
        await CreateAsync(admin, first.Url);

        using var stop = new CancellationTokenSource();
        var newEmailAt = new ConcurrentDictionary<string, long>();
        using var socket = await BenchEnvironment.ConnectWebSocketAsync(environment.WebPort, stop.Token);
        var reader = BenchEnvironment.ReadFramesAsync(
            socket,
            (frame, at) =>
            {
                if (frame.GetProperty("type").GetString() == "new_email")
                {
                    newEmailAt.TryAdd(frame.GetProperty("subject").GetString()!, at);
                }
            },
            stop.Token);
        using var idle = await environment.ConnectImapAsync();
        await idle.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var idleAt = new ConcurrentDictionary<int, long>();
        idle.Inbox.CountChanged += (_, _) => idleAt.TryAdd(idle.Inbox.Count, Stopwatch.GetTimestamp());
        var idling = idle.IdleAsync(stop.Token);
        using var appender = await environment.ConnectImapAsync();

        var samples = new List<(double Floor, double WebSocket, double Webhook)>();
        for (var i = 1; i <= options.Warmup + options.Messages; i++)
        {
            var subject = $"bench {i}";
            var message = new MimeMessage();
            message.From.Add(new MailboxAddress("Bench", "bench@example.com"));
            message.To.Add(new MailboxAddress("Monitor", "monitor@example.com"));
            message.Subject = subject;
            message.Body = new TextPart("plain") { Text = "A short plain-text message, like most mail a monitor sees." };
            var start = Stopwatch.GetTimestamp();
            await appender.Inbox.AppendAsync(message, MessageFlags.None);
            var floor = await WaitForAsync(idleAt, i);
            var email = await WaitForAsync(newEmailAt, subject);
            var hook = await WaitForAsync(first.Arrivals, subject);
            if (i > options.Warmup)
            {
                samples.Add((Ms(start, floor), Ms(start, email), Ms(start, hook)));
            }

            await Task.Delay(options.Gap);
        }

        // Two bursts: to two live receivers, then with a dead one (nothing listens on its port) beside them.
        await CreateAsync(admin, second.Url);
        var count = options.Backlog > 0 ? options.Backlog : 1000;
        var alive = await BurstAsync(environment, "live", count, newEmailAt, first, second);
        await CreateAsync(admin, new Uri($"http://127.0.0.1:{BenchEnvironment.FreePort()}/dead"));
        var withDead = await BurstAsync(environment, "dead", count, newEmailAt, first, second);
        var dead = await DeadPendingAsync(admin);
        await stop.CancelAsync();
        await reader.ContinueWith(_ => { }, TaskScheduler.Default);
        await idling.ContinueWith(_ => { }, TaskScheduler.Default);
        return new WebhookFigures(samples, count, alive, withDead, first.Duplicates + second.Duplicates, dead);
    }

    private static async Task<BurstTimes> BurstAsync(
        BenchEnvironment environment, string name, int count, ConcurrentDictionary<string, long> newEmailAt, Receiver first, Receiver second)
    {
        var tmp = Path.Combine(environment.InboxMaildir, "tmp");
        var names = new List<string>();
        for (var i = 1; i <= count; i++)
        {
            var file = $"{1_800_000_000 + i}.{name}{i}.bench";
            await File.WriteAllTextAsync(
                Path.Combine(tmp, file),
                string.Create(CultureInfo.InvariantCulture, $"From: bench@example.com\r\nTo: monitor@example.com\r\nSubject: {name} {i}\r\nMessage-ID: <{name}-{i}@example.com>\r\n\r\nA short plain-text message.\r\n"),
                Encoding.ASCII);
            names.Add(file);
        }

        var started = Stopwatch.GetTimestamp();
        foreach (var file in names)
        {
            File.Move(Path.Combine(tmp, file), Path.Combine(environment.InboxMaildir, "new", file));
        }

        var burst = Enumerable.Range(1, count).Select(i => $"{name} {i}").ToList();
        var toWebSocket = await LastAsync(newEmailAt, burst);
        var toFirst = await LastAsync(first.Arrivals, burst);
        var toSecond = await LastAsync(second.Arrivals, burst);
        return new BurstTimes(Ms(started, toWebSocket), Ms(started, toFirst), Ms(started, toSecond));
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    private static async Task<HttpClient> AdminAsync(int port)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var login = await http.PostAsJsonAsync("/api/auth/login", new { username = "admin", password = BenchEnvironment.AdminPassword });
        login.EnsureSuccessStatusCode();
        var tokens = await login.Content.ReadFromJsonAsync<JsonElement>();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tokens.GetProperty("access_token").GetString());
        return http;
    }

    private static async Task CreateAsync(HttpClient admin, Uri url)
    {
        using var response = await admin.PostAsJsonAsync("/api/admin/webhooks", new { url = url.ToString() });
        response.EnsureSuccessStatusCode();
    }

    // How many of the dead receiver's deliveries are still pending at the end.
    private static async Task<int> DeadPendingAsync(HttpClient admin)
    {
        var webhooks = await admin.GetFromJsonAsync<JsonElement>("/api/admin/webhooks");
        var dead = webhooks.EnumerateArray().Single(w => w.GetProperty("url").GetString()!.EndsWith("/dead", StringComparison.Ordinal));
        return dead.GetProperty("pending").GetInt32();
    }

    private static async Task<long> WaitForAsync<TKey>(ConcurrentDictionary<TKey, long> arrivals, TKey key)
        where TKey : notnull
    {
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 30);
        while (!arrivals.ContainsKey(key))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{key} did not arrive within 30 s.");
            }

            await Task.Delay(1);
        }

        return arrivals[key];
    }

    private static async Task<long> LastAsync(ConcurrentDictionary<string, long> arrivals, IReadOnlyList<string> keys)
    {
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 600);
        while (keys.Any(key => !arrivals.ContainsKey(key)))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{keys.Count(key => !arrivals.ContainsKey(key))} of the burst did not arrive within 10 minutes.");
            }

            await Task.Delay(10);
        }

        return keys.Max(key => arrivals[key]);
    }

    /// <summary>A webhook receiver that answers 204 at once and notes when each subject first arrived.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _duplicates;

        private Receiver(WebApplication app, int port)
        {
            _app = app;
            Url = new Uri($"http://127.0.0.1:{port}/hook");
            app.Urls.Add($"http://127.0.0.1:{port}");
            app.MapPost("/hook", async (HttpContext context) =>
            {
                var at = Stopwatch.GetTimestamp();
                using var body = await JsonDocument.ParseAsync(context.Request.Body);
                if (!Arrivals.TryAdd(body.RootElement.GetProperty("subject").GetString()!, at))
                {
                    Interlocked.Increment(ref _duplicates);
                }

                return Results.NoContent();
            });
        }

        public Uri Url { get; }

        public ConcurrentDictionary<string, long> Arrivals { get; } = new();

        public int Duplicates => Volatile.Read(ref _duplicates);

        public static async Task<Receiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            var receiver = new Receiver(builder.Build(), BenchEnvironment.FreePort());
            await receiver._app.StartAsync();
            return receiver;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

internal sealed record WebhookFigures(
    IReadOnlyList<(double Floor, double WebSocket, double Webhook)> Samples, int BurstCount, BurstTimes Alive, BurstTimes WithDead, int Duplicates, int DeadPending);

internal sealed record BurstTimes(double ToWebSocketMs, double ToFirstMs, double ToSecondMs);
