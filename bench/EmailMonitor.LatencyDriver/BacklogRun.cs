using System.Diagnostics;
using System.Globalization;
using System.Text;
using MailKit;
using MailKit.Search;
using MimeKit;

namespace EmailMonitor.LatencyDriver;

/// <summary>
/// A backlog that arrived while the monitor was stopped: messages written straight into the
/// Maildir (as an MTA delivers), then the monitor started and timed until a WebSocket client
/// holds every one of them, with the monitor's peak memory; then the floor: a plain MailKit
/// client fetching and parsing the same messages in one UID FETCH. Dovecot indexes the new
/// files once before either runs, so neither pays for it.
/// </summary>
internal static class BacklogRun
{
    public static async Task<(TimeSpan Elapsed, long PeakKilobytes, TimeSpan Floor)> MeasureAsync(DriverOptions options)
    {
        await using var environment = await BenchEnvironment.StartDovecotAsync(options.RepositoryRoot);
        // The first start records "now" as the checkpoint; the backlog lands after it.
        await environment.StartMonitorAsync();
        await environment.StopMonitorAsync();
        for (var i = 1; i <= options.Backlog; i++)
        {
            await File.WriteAllTextAsync(
                Path.Combine(environment.InboxMaildir, "new", $"{1_700_000_000 + i}.backlog{i}.bench"),
                string.Create(CultureInfo.InvariantCulture, $"From: bench@example.com\r\nTo: monitor@example.com\r\nSubject: backlog {i}\r\nMessage-ID: <backlog-{i}@example.com>\r\n\r\nBacklog message {i}.\r\n"),
                Encoding.ASCII);
        }

        using (var indexer = await environment.ConnectImapAsync())
        {
            await indexer.Inbox.OpenAsync(FolderAccess.ReadOnly);
            await indexer.DisconnectAsync(true);
        }

        var started = Stopwatch.GetTimestamp();
        var startedAt = DateTimeOffset.UtcNow;
        await environment.StartMonitorAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        using var socket = await environment.ConnectWebSocketAsync(stop.Token);
        var received = new HashSet<long>();
        var (firstHeld, lastHeld) = (DateTimeOffset.MaxValue, DateTimeOffset.MinValue);
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = BenchEnvironment.ReadFramesAsync(
            socket,
            (frame, _) =>
            {
                if (frame.GetProperty("type").GetString() != "new_email")
                {
                    return;
                }

                var held = DateTimeOffset.Parse(frame.GetProperty("received_at").GetString()!, CultureInfo.InvariantCulture);
                (firstHeld, lastHeld) = (held < firstHeld ? held : firstHeld, held > lastHeld ? held : lastHeld);
                if (received.Add(frame.GetProperty("event_id").GetInt64()) && received.Count == options.Backlog)
                {
                    all.TrySetResult();
                }
            },
            stop.Token);
        await BenchEnvironment.SendAsync(socket, new { type = "resume", last_event_id = 0 }, stop.Token);
        await all.Task.WaitAsync(stop.Token);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var peak = environment.MonitorPeakMemoryKilobytes();
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{environment.WebPort}/metrics"));
        double Metric(string name) => double.Parse(
            metrics.Split('\n').First(line => line.StartsWith(name + " ", StringComparison.Ordinal) || line.StartsWith(name + "{", StringComparison.Ordinal)).Split(' ')[^1],
            CultureInfo.InvariantCulture);
        var analysis = TimeSpan.FromSeconds(Metric("email_monitor_analysis_duration_seconds_sum"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"monitor: start → first message held {(firstHeld - startedAt).TotalSeconds:0.00} s; first held → last held {(lastHeld - firstHeld).TotalSeconds:0.00} s; analysis (its histogram's sum) {analysis.TotalSeconds:0.00} s, {analysis.TotalMilliseconds / options.Backlog:0.00} ms an email"));
        await stop.CancelAsync();
        await reader.ContinueWith(_ => { }, TaskScheduler.Default);
        await environment.StopMonitorAsync();
        return (elapsed, peak, await FetchFloorAsync(environment, options.Backlog));
    }

    private static async Task<TimeSpan> FetchFloorAsync(BenchEnvironment environment, int count)
    {
        var started = Stopwatch.GetTimestamp();
        using var client = await environment.ConnectImapAsync();
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var uids = await client.Inbox.SearchAsync(SearchQuery.All);
        var parsed = 0;
        await ((MailKit.Net.Imap.ImapFolder)client.Inbox).GetStreamsAsync(uids, async (_, _, _, stream, cancellationToken) =>
        {
            await MimeMessage.LoadAsync(stream, cancellationToken);
            parsed++;
        });
        var elapsed = Stopwatch.GetElapsedTime(started);
        return parsed == count ? elapsed : throw new InvalidOperationException($"The floor fetched {parsed} of {count} messages.");
    }
}
