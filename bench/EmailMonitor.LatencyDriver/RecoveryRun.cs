using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using MailKit;
using MimeKit;

namespace EmailMonitor.LatencyDriver;

/// <summary>
/// How soon mail flows again after the mail server comes back from an outage, or after it drops
/// the monitor's session (doveadm kick). Each trial starts from a session that has been up for
/// <see cref="SettleTime"/>, so every trial is a fresh trouble; a message is appended as soon as
/// the server accepts connections again, and the time to its new_email is measured from then.
/// The APPEND's own completion is the floor: the message cannot be delivered before it is there.
/// </summary>
internal static class RecoveryRun
{
    // Longer than the service's StableSessionLength (10 s): the previous trial's trouble is over.
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(12);

    public static async Task<RecoveryResult> MeasureAsync(DriverOptions options)
    {
        await using var environment = await BenchEnvironment.StartDovecotAsync(options.RepositoryRoot);
        // The defaults a user gets, log level included.
        await environment.StartMonitorAsync(new Dictionary<string, string> { ["LOG_LEVEL"] = "INFO" });
        using var stop = new CancellationTokenSource();
        var arrivals = new ConcurrentDictionary<string, long>();
        using var socket = await environment.ConnectWebSocketAsync(stop.Token);
        var reader = BenchEnvironment.ReadFramesAsync(
            socket,
            (frame, receivedAt) =>
            {
                if (frame.GetProperty("type").GetString() == "new_email" && frame.GetProperty("subject").GetString() is { } subject)
                {
                    arrivals.TryAdd(subject, receivedAt);
                }
            },
            stop.Token);

        var kind = options.Recovery ?? "kick";
        var result = new RecoveryResult(kind, options.Outage, [], []);
        for (var trial = 1; trial <= options.Trials; trial++)
        {
            await Task.Delay(SettleTime);
            if (kind == "outage")
            {
                await environment.StopDovecotAsync();
                await Task.Delay(options.Outage);
                await environment.RestartDovecotAsync();
            }
            else
            {
                await environment.KickAsync();
            }

            var back = Stopwatch.GetTimestamp();
            var subject = string.Create(CultureInfo.InvariantCulture, $"recovery {kind} {trial}");
            await AppendAsync(environment, subject);
            result.AppendedSeconds.Add(Stopwatch.GetElapsedTime(back).TotalSeconds);
            var deliveredAt = await WaitForAsync(arrivals, subject, TimeSpan.FromSeconds(120));
            result.DeliveredSeconds.Add(Stopwatch.GetElapsedTime(back, deliveredAt).TotalSeconds);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trial {trial}: {result.DeliveredSeconds[^1]:0.00} s"));
        }

        await stop.CancelAsync();
        await reader.ContinueWith(_ => { }, TaskScheduler.Default);
        return result;
    }

    private static async Task AppendAsync(BenchEnvironment environment, string subject)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Bench", "bench@example.com"));
        message.To.Add(new MailboxAddress("Monitor", "monitor@example.com"));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "The first message after the server came back." };
        using var client = await environment.ConnectImapAsync();
        await client.Inbox.AppendAsync(message, MessageFlags.None);
        await client.DisconnectAsync(true);
    }

    private static async Task<long> WaitForAsync(ConcurrentDictionary<string, long> arrivals, string subject, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!arrivals.ContainsKey(subject))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"'{subject}' did not arrive within {timeout.TotalSeconds} s.");
            }

            await Task.Delay(5);
        }

        return arrivals[subject];
    }
}

internal sealed record RecoveryResult(string Kind, TimeSpan Outage, List<double> AppendedSeconds, List<double> DeliveredSeconds);
