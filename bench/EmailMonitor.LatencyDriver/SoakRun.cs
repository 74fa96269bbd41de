using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using MailKit;

namespace EmailMonitor.LatencyDriver;

/// <summary>
/// Steady mail for a long while as clients come and go: an IMAP connection appends
/// <see cref="DriverOptions.Rate"/> emails a second while <see cref="DriverOptions.Clients"/>
/// clients each connect, sign in with <c>token_auth</c>, stay a random while (uniform over up to
/// twice the mean dwell), leave (closing cleanly or dropping the socket, half each) and come back.
/// Every few seconds the monitor's resident memory, open descriptors and threads are read from
/// /proc; a client that stays connected throughout checks that every email came once.
/// </summary>
internal static class SoakRun
{
    // The access token lives 15 minutes at the defaults: clients sign in with a fresh one.
    private static readonly TimeSpan TokenRenewal = TimeSpan.FromMinutes(10);

    public static async Task<SoakReport> MeasureAsync(DriverOptions options)
    {
        var dwell = TimeSpan.FromSeconds(options.DwellSeconds);
        // The default budget is 100 requests (the upgrade and token_auth count one each) a minute
        // per address: clients share an address only as far as their reconnects stay well within it.
        // Each visit costs two (the upgrade and token_auth): at 25 clients a minute's dwell to an
        // address they use half of it on average, and they stay below the 20 connections an address may hold.
        var perAddress = Math.Clamp((int)(25 * dwell.TotalSeconds / 60), 1, Crowd.ClientsPerAddress - 2);
        await using var environment = await BenchEnvironment.StartDovecotAsync(options.RepositoryRoot);
        await environment.StartMonitorAsync(new Dictionary<string, string> { ["MAX_CONNECTIONS"] = (options.Clients + 10).ToString(CultureInfo.InvariantCulture) });
        using var stop = new CancellationTokenSource();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{environment.WebPort}") };
        var token = await ScaleRun.SignInAsync(http);

        // The client that stays: which numbered emails reached it, and how often. It signs in with
        // the token, and again with each renewed one before the old one expires.
        var seen = new ConcurrentDictionary<int, int>();
        var signedIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watcher = new ClientWebSocket();
        await watcher.ConnectAsync(new Uri($"ws://127.0.0.1:{environment.WebPort}/ws"), stop.Token);
        var watching = BenchEnvironment.ReadFramesAsync(watcher, (frame, _) =>
        {
            var type = frame.GetProperty("type").GetString();
            if (type == "auth_success")
            {
                signedIn.TrySetResult();
            }
            else if (type == "error")
            {
                signedIn.TrySetException(new InvalidOperationException($"The staying client was refused: {frame.GetRawText()}"));
            }
            else if (type == "new_email"
                && frame.GetProperty("subject").GetString() is { } subject && subject.StartsWith("soak ", StringComparison.Ordinal))
            {
                seen.AddOrUpdate(int.Parse(subject["soak ".Length..], CultureInfo.InvariantCulture), 1, (_, times) => times + 1);
            }
        }, stop.Token);
        await BenchEnvironment.SendAsync(watcher, new { type = "token_auth", token }, stop.Token);
        await signedIn.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var counts = new ChurnCounts();
        var invokers = Enumerable.Range(0, (options.Clients + perAddress - 1) / perAddress).Select(Crowd.From).ToArray();
        // The monitor lets an address hold only a few connections that have not signed in yet.
        var signingIn = invokers.Select(_ => new SemaphoreSlim(1)).ToArray();
        var uri = new Uri($"ws://127.0.0.1:{environment.WebPort}/ws");
        var churners = Enumerable.Range(0, options.Clients)
            .Select(i => ChurnAsync(uri, invokers[i / perAddress], signingIn[i / perAddress], () => token, dwell, counts, stop.Token))
            .ToList();
        var renewing = RenewAsync(http, async renewed =>
        {
            token = renewed;
            await BenchEnvironment.SendAsync(watcher, new { type = "token_auth", token = renewed }, stop.Token);
        }, stop.Token);

        var samples = new List<SoakSample>();
        var started = Stopwatch.GetTimestamp();
        var total = options.Rate * options.Seconds;
        using var appender = await environment.ConnectImapAsync();
        var nextSample = TimeSpan.Zero;
        for (var n = 1; n <= total; n++)
        {
            var due = TimeSpan.FromSeconds((n - 1) / (double)options.Rate);
            if (due >= nextSample)
            {
                samples.Add(SoakSample.Read(environment.MonitorProcessId, Stopwatch.GetElapsedTime(started), counts));
                nextSample += TimeSpan.FromSeconds(options.SampleSeconds);
            }

            var wait = due - Stopwatch.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await appender.Inbox.AppendAsync(LoadRun.ShortMessage(string.Create(CultureInfo.InvariantCulture, $"soak {n}")), MessageFlags.None, timeout.Token);
        }

        samples.Add(SoakSample.Read(environment.MonitorProcessId, Stopwatch.GetElapsedTime(started), counts));
        var deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
        while (seen.Count < total && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50);
        }

        // A copy sent twice may come after the last email's first.
        await Task.Delay(TimeSpan.FromSeconds(options.SettleSeconds));

        await stop.CancelAsync();
        watcher.Abort();
        await Task.WhenAll([.. churners, renewing, watching]).ContinueWith(_ => { }, TaskScheduler.Default);
        foreach (var invoker in invokers)
        {
            invoker.Dispose();
        }

        return new SoakReport(
            options.Clients, perAddress, options.Rate, total, dwell, samples, total - seen.Count, seen.Values.Sum(times => times - 1), counts);
    }

    private static async Task RenewAsync(HttpClient http, Func<string, Task> renewed, CancellationToken stop)
    {
        var wait = TokenRenewal;
        while (!stop.IsCancellationRequested)
        {
            await Pause(wait.TotalMilliseconds, stop);
            try
            {
                await renewed(await ScaleRun.SignInAsync(http));
                wait = TokenRenewal;
            }
            catch (Exception ex) when (!stop.IsCancellationRequested && ex is HttpRequestException or WebSocketException or InvalidOperationException)
            {
                Console.Error.WriteLine($"renewing the token failed, trying again in 10 s: {ex.Message}");
                wait = TimeSpan.FromSeconds(10);
            }
        }
    }

    private static async Task ChurnAsync(
        Uri uri, HttpMessageInvoker invoker, SemaphoreSlim signingIn, Func<string> token, TimeSpan dwell, ChurnCounts counts, CancellationToken stop)
    {
        var buffer = new byte[16 * 1024];
        // Clients start spread over one dwell, as they would be after a while.
        await Pause(Random.Shared.NextDouble() * dwell.TotalMilliseconds, stop);
        while (!stop.IsCancellationRequested)
        {
            using var socket = new ClientWebSocket();
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
            try
            {
                var refused = false;
                await signingIn.WaitAsync(stop);
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    timeout.CancelAfter(TimeSpan.FromSeconds(30));
                    await socket.ConnectAsync(uri, invoker, timeout.Token);
                    await socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"type":"token_auth","token":"{{token()}}"}"""), WebSocketMessageType.Text, true, timeout.Token);
                    var reply = await ReadAsync(socket, buffer, timeout.Token);
                    if (reply.Span.IndexOf("\"auth_success\""u8) < 0)
                    {
                        counts.Refused(Encoding.UTF8.GetString(reply.Span));
                        refused = true;
                    }
                }
                finally
                {
                    signingIn.Release();
                }

                if (refused)
                {
                    await Pause(1000, stop);
                    continue;
                }

                Interlocked.Increment(ref counts.SignedIn);
                // Cancelling a receive would abort the socket, so leaving happens beside the reads:
                // a clean close that the reads see acknowledged, or a dropped socket.
                var left = false;
                var clean = Random.Shared.Next(2) == 0;
                var leaving = LeaveAsync();
                async Task LeaveAsync()
                {
                    await Pause(Random.Shared.NextDouble() * 2 * dwell.TotalMilliseconds, stop);
                    Volatile.Write(ref left, true);
                    try
                    {
                        if (clean && !stop.IsCancellationRequested)
                        {
                            using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", closing.Token);
                        }
                        else
                        {
                            socket.Abort();
                        }
                    }
                    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
                    {
                        // The monitor closed it first; the reads say why.
                    }
                }

                try
                {
                    while (true)
                    {
                        await ReadAsync(socket, buffer, CancellationToken.None);
                        Interlocked.Increment(ref counts.Frames);
                    }
                }
                catch (Exception ex) when (Volatile.Read(ref left) && ex is WebSocketException or OperationCanceledException)
                {
                }

                await leaving;
                // Back after a moment, as a person or a restarted client would be.
                await Pause(500 + Random.Shared.Next(1000), stop);
            }
            catch (Exception ex) when (!stop.IsCancellationRequested && ex is WebSocketException or OperationCanceledException or HttpRequestException or IOException)
            {
                counts.Refused(ex.GetType().Name + ": " + ex.Message);
                await Pause(1000, stop);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
            }
        }
    }

    private static async Task Pause(double milliseconds, CancellationToken stop)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(milliseconds), stop);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<ReadOnlyMemory<byte>> ReadAsync(ClientWebSocket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        // Only a frame's start matters here: past the buffer, the rest is read over its second half.
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(length < buffer.Length ? buffer.AsMemory(length) : buffer.AsMemory(buffer.Length / 2), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException(string.Create(CultureInfo.InvariantCulture, $"closed by the monitor: {socket.CloseStatus} {socket.CloseStatusDescription}"));
            }

            length = Math.Min(length + result.Count, buffer.Length);
        }
        while (!result.EndOfMessage);
        return buffer.AsMemory(0, length);
    }
}

/// <summary>What the churning clients did so far; the fields are counted with Interlocked.</summary>
internal sealed class ChurnCounts
{
    public long SignedIn;
    public long Frames;
    private readonly ConcurrentDictionary<string, int> _refusals = new();

    public IReadOnlyDictionary<string, int> Refusals => _refusals;

    public void Refused(string why) => _refusals.AddOrUpdate(why.Length > 120 ? why[..120] : why, 1, (_, n) => n + 1);
}

/// <summary>The monitor at one moment of the soak, from /proc, with the clients' sign-ins so far.</summary>
internal sealed record SoakSample(TimeSpan At, long ResidentKilobytes, int Threads, int Descriptors, long SignedIn)
{
    public static SoakSample Read(int processId, TimeSpan at, ChurnCounts counts)
    {
        var process = ProcessSample.Read(processId);
        return new SoakSample(at, process.ResidentKilobytes, process.Threads, Directory.GetFileSystemEntries($"/proc/{processId}/fd").Length, Interlocked.Read(ref counts.SignedIn));
    }
}

internal sealed record SoakReport(
    int Clients, int PerAddress, int Rate, int Emails, TimeSpan Dwell, IReadOnlyList<SoakSample> Samples, int Missing, int Doubled, ChurnCounts Counts);
