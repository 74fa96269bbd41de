using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using MailKit;
using MailKit.Net.Imap;
using MimeKit;

namespace EmailMonitor.LatencyDriver;

/// <summary>
/// Steady mail under load: a crowd of signed-in clients while emails are appended at a fixed rate.
/// Each email is timed, on this process's clock, at a plain MailKit IDLE session (the floor, which
/// leaves IDLE on news and enters it again as the monitor does) and at the driver's own WebSocket
/// client; every client of the crowd must get every email once.
/// </summary>
internal static class LoadRun
{
    private const int Appenders = 4;

    public static async Task<LoadReport> MeasureAsync(DriverOptions options)
    {
        var total = options.Rate * options.Seconds;
        await using var environment = await BenchEnvironment.StartDovecotAsync(options.RepositoryRoot);
        // The one setting changed from the defaults: room for the crowd (and the driver's own client).
        await environment.StartMonitorAsync(new Dictionary<string, string> { ["MAX_CONNECTIONS"] = (options.Clients + 10).ToString(CultureInfo.InvariantCulture) });
        using var stop = new CancellationTokenSource();

        // The floor: when the inbox was first seen to hold n messages (UIDs 1..n on an empty inbox).
        var floorCounts = new ConcurrentQueue<(int Count, long At)>();
        using var floor = await environment.ConnectImapAsync();
        await floor.Inbox.OpenAsync(FolderAccess.ReadOnly);
        floor.Inbox.CountChanged += (_, _) => floorCounts.Enqueue((floor.Inbox.Count, Stopwatch.GetTimestamp()));
        // As LatencyRun's floor: on news it leaves IDLE and enters it again.
        var idling = LatencyRun.IdleLoopAsync(floor, stop.Token);

        // The driver's own client: when each UID's new_email arrived, and which subject it carried.
        var arrivals = new ConcurrentDictionary<long, (int Number, long At)>();
        var framesAtDriver = 0;
        var heldToClient = new ConcurrentBag<double>();
        var heldAt = new ConcurrentDictionary<int, DateTimeOffset>();
        byte[]? template = null;
        using var watcher = await BenchEnvironment.ConnectWebSocketAsync(environment.WebPort, stop.Token);
        var watching = BenchEnvironment.ReadFramesAsync(watcher, (frame, at) =>
        {
            if (frame.GetProperty("type").GetString() == "new_email"
                && frame.GetProperty("subject").GetString() is { } subject && subject.StartsWith("load ", StringComparison.Ordinal))
            {
                var id = frame.GetProperty("id").GetString()!;
                var uid = long.Parse(id[(id.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
                Interlocked.Increment(ref framesAtDriver);
                if (!arrivals.TryAdd(uid, (int.Parse(subject["load ".Length..], CultureInfo.InvariantCulture), at)))
                {
                    return;
                }

                // received_at: when the monitor held the message (its clock, in ms; the same machine's).
                var held = DateTimeOffset.Parse(frame.GetProperty("received_at").GetString()!, CultureInfo.InvariantCulture);
                heldToClient.Add((DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(at) - held).TotalMilliseconds);
                heldAt.TryAdd(int.Parse(subject["load ".Length..], CultureInfo.InvariantCulture), held);
                template ??= System.Text.Encoding.UTF8.GetBytes(frame.GetRawText());
            }
        }, stop.Token);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{environment.WebPort}") };
        var token = await ScaleRun.SignInAsync(http);
        await using var crowd = await Crowd.ConnectAsync(environment.WebPort, "/ws", token, options.Clients);

        var messages = Enumerable.Range(1, total).Select(Message).ToArray();
        var appendStarted = new long[total + 1];
        var free = Channel.CreateUnbounded<ImapClient>();
        var appenders = new List<ImapClient>();
        for (var i = 0; i < Appenders; i++)
        {
            var appender = await environment.ConnectImapAsync();
            appenders.Add(appender);
            free.Writer.TryWrite(appender);
        }

        var before = ProcessSample.Read(environment.MonitorProcessId);
        var started = Stopwatch.GetTimestamp();
        var late = 0;
        var appends = new List<Task>(total);
        for (var n = 1; n <= total; n++)
        {
            var due = started + (long)((n - 1) * (double)Stopwatch.Frequency / options.Rate);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            var appender = await free.Reader.ReadAsync();
            if (Stopwatch.GetElapsedTime(due) > TimeSpan.FromMilliseconds(10))
            {
                late++;
            }

            var number = n;
            appendStarted[number] = Stopwatch.GetTimestamp();
            appends.Add(Task.Run(async () =>
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    await appender.Inbox.AppendAsync(messages[number - 1], MessageFlags.None, timeout.Token);
                }
                finally
                {
                    free.Writer.TryWrite(appender);
                }
            }));
        }

        await Task.WhenAll(appends);
        var sending = Stopwatch.GetElapsedTime(started);
        await WaitUntilAsync(() => arrivals.Count >= total, TimeSpan.FromSeconds(30));
        var after = ProcessSample.Read(environment.MonitorProcessId);
        var check = await crowd.CheckAsync(total);

        await stop.CancelAsync();
        watcher.Abort();
        await Task.WhenAll(idling, watching).ContinueWith(_ => { }, TaskScheduler.Default);
        foreach (var appender in appenders)
        {
            appender.Dispose();
        }

        var counts = floorCounts.ToArray();
        var samples = new List<Sample>();
        foreach (var (uid, (number, at)) in arrivals)
        {
            var seen = counts.FirstOrDefault(c => c.Count >= uid);
            if (seen.At != 0)
            {
                samples.Add(new Sample(
                    Stopwatch.GetElapsedTime(appendStarted[number], seen.At).TotalMilliseconds,
                    Stopwatch.GetElapsedTime(appendStarted[number], at).TotalMilliseconds));
            }
        }

        // Frames beyond one per subject: a frame seen again, or the same message stored under two UIDs.
        var doubled = framesAtDriver - arrivals.Values.Select(a => a.Number).Distinct().Count();
        await crowd.DisposeAsync();
        await environment.StopMonitorAsync();
        if (template is null)
        {
            throw new InvalidOperationException("No new_email reached the driver's client.");
        }

        var evenly = Enumerable.Range(0, total + 1).Select(n => TimeSpan.FromSeconds(Math.Max(0, n - 1) / (double)options.Rate)).ToArray();
        var bare = await BareBaselineAsync(options, template, evenly, Appenders);
        // Dovecot tells an IDLE session of new mail in batches: the bare server fed each frame at the
        // moment the monitor held that email, so both send the same bursts.
        var firstHeld = heldAt.Values.Min();
        var asHeld = Enumerable.Range(0, total + 1).Select(n => heldAt.TryGetValue(n, out var held) ? held - firstHeld : evenly[n]).ToArray();
        var bareInBatches = await BareBaselineAsync(options, template, asHeld, 64);
        return new LoadReport(
            options.Clients, options.Rate, total, sending, late, samples, [.. heldToClient], total - arrivals.Count, doubled, check, before, after, bare, bareInBatches);
    }

    // The bare Kestrel server fed the same frames (the first email's, renumbered) on the given
    // schedule with the same crowd: how soon a frame reaches one client from the broadcast request.
    private static async Task<BareLoad> BareBaselineAsync(DriverOptions options, byte[] template, TimeSpan[] schedule, int inFlight)
    {
        var total = options.Rate * options.Seconds;
        var text = System.Text.Encoding.UTF8.GetString(template);
        var port = BenchEnvironment.FreePort();
        using var server = FanOutRun.StartBareServer(port);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await FanOutRun.WaitForAsync(http);
            await using var crowd = await Crowd.ConnectAsync(port, "/", null, options.Clients);
            using var stop = new CancellationTokenSource();
            using var watcher = new System.Net.WebSockets.ClientWebSocket();
            await watcher.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/"), stop.Token);
            var arrivals = new ConcurrentDictionary<int, long>();
            var watching = BenchEnvironment.ReadFramesAsync(watcher, (frame, at) =>
                arrivals.TryAdd(int.Parse(frame.GetProperty("subject").GetString()!["load ".Length..], CultureInfo.InvariantCulture), at), stop.Token);
            // The server lists a socket only once its handshake is done: every client is listed before the first frame.
            await FanOutRun.WaitForAsync(http, options.Clients + 1);

            var sentAt = new long[total + 1];
            using var sending = new SemaphoreSlim(inFlight);
            var posts = new List<Task>(total);
            var started = Stopwatch.GetTimestamp();
            for (var n = 1; n <= total; n++)
            {
                var due = started + (long)(schedule[n].TotalSeconds * Stopwatch.Frequency);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                await sending.WaitAsync();
                var bytes = System.Text.Encoding.UTF8.GetBytes(System.Text.RegularExpressions.Regex.Replace(text, "\"subject\":\"load [0-9]+\"", $"\"subject\":\"load {n}\""));
                sentAt[n] = Stopwatch.GetTimestamp();
                posts.Add(Task.Run(async () =>
                {
                    try
                    {
                        using var content = new ByteArrayContent(bytes);
                        (await http.PostAsync("/broadcast", content)).EnsureSuccessStatusCode();
                    }
                    finally
                    {
                        sending.Release();
                    }
                }));
            }

            await Task.WhenAll(posts);
            await WaitUntilAsync(() => arrivals.Count >= total, TimeSpan.FromSeconds(30));
            var check = await crowd.CheckAsync(total);
            await stop.CancelAsync();
            watcher.Abort();
            await watching.ContinueWith(_ => { }, TaskScheduler.Default);
            var latencies = arrivals.Select(a => Stopwatch.GetElapsedTime(sentAt[a.Key], a.Value).TotalMilliseconds).ToArray();
            return new BareLoad(latencies, total - arrivals.Count, check);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }

    private static MimeMessage Message(int number) => ShortMessage(string.Create(CultureInfo.InvariantCulture, $"load {number}"));

    /// <summary>A short plain-text message under <paramref name="subject"/>, the kind most mail is.</summary>
    internal static MimeMessage ShortMessage(string subject)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Bench", "bench@example.com"));
        message.To.Add(new MailboxAddress("Monitor", "monitor@example.com"));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "A short plain-text message, like most mail a monitor sees." };
        return message;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan within)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(within.TotalSeconds * Stopwatch.Frequency);
        while (!condition() && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50);
        }
    }
}

internal sealed record LoadReport(
    int Clients,
    int Rate,
    int Emails,
    TimeSpan Sending,
    int LateAppends,
    IReadOnlyList<Sample> Samples,
    IReadOnlyList<double> HeldToClientMs,
    int MissingAtDriver,
    int DoubledAtDriver,
    (int Complete, long Missing, long Doubled) Crowd,
    ProcessSample Before,
    ProcessSample After,
    BareLoad Bare,
    BareLoad BareInBatches);

/// <summary>The bare server under the same load: broadcast request to the driver's client, per frame.</summary>
internal sealed record BareLoad(IReadOnlyList<double> LatencyMs, int MissingAtDriver, (int Complete, long Missing, long Doubled) Crowd);
