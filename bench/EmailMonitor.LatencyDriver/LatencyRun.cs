using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using MailKit;
using MailKit.Net.Imap;
using MimeKit;

namespace EmailMonitor.LatencyDriver;

/// <summary>
/// Appends messages one at a time and times, on this process's clock, Dovecot's IDLE
/// notification at a plain MailKit client (the floor) and new_email at a WebSocket client.
/// </summary>
internal sealed class LatencyRun : IAsyncDisposable
{
    private readonly DriverOptions _options;
    private readonly BenchEnvironment _environment;
    private readonly int _webPort;
    private readonly bool _ownsEnvironment;
    private readonly ConcurrentDictionary<int, long> _idleNotifiedAt = new();
    private readonly ConcurrentDictionary<int, long> _newEmailAt = new();
    private readonly CancellationTokenSource _stop = new();
    private ImapClient? _idleClient;
    private ImapClient? _appender;
    private ClientWebSocket? _socket;
    private Task? _idleLoop;
    private Task? _readLoop;

    private LatencyRun(DriverOptions options, BenchEnvironment environment, int webPort, bool ownsEnvironment)
    {
        _options = options;
        _environment = environment;
        _webPort = webPort;
        _ownsEnvironment = ownsEnvironment;
    }

    public static async Task<LatencyRun> StartAsync(DriverOptions options)
    {
        var environment = await BenchEnvironment.StartDovecotAsync(options.RepositoryRoot);
        await environment.StartMonitorAsync();
        var run = new LatencyRun(options, environment, environment.WebPort, ownsEnvironment: true);
        await run.ConnectAsync();
        return run;
    }

    /// <summary>Times a monitor someone else started on <paramref name="environment"/>'s Dovecot (empty inbox), through the instance on <paramref name="webPort"/>.</summary>
    public static async Task<LatencyRun> AttachAsync(DriverOptions options, BenchEnvironment environment, int webPort)
    {
        var run = new LatencyRun(options, environment, webPort, ownsEnvironment: false);
        await run.ConnectAsync();
        return run;
    }

    // Made before the timed loop. "demo": deploy/compose/demo/sample-mail's six kinds in turn (a
    // newsletter, a lure, an .exe, a macro document, failed SPF/DKIM/DMARC, hostile HTML), each
    // with the subject the arrivals are matched by.
    private async Task<List<MimeMessage>> MessagesAsync(int count)
    {
        var messages = new List<MimeMessage>(count);
        for (var i = 1; i <= count; i++)
        {
            MimeMessage message;
            if (_options.Mix == "demo")
            {
                var script = Path.Combine(_options.RepositoryRoot, "deploy", "compose", "demo", "sample-mail");
                using var generator = Process.Start(new ProcessStartInfo("bash", [script, i.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardOutput = true })!;
                var raw = await generator.StandardOutput.ReadToEndAsync();
                await generator.WaitForExitAsync();
                message = MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(raw)));
            }
            else
            {
                message = new MimeMessage();
                message.From.Add(new MailboxAddress("Bench", "bench@example.com"));
                message.To.Add(new MailboxAddress("Monitor", "monitor@example.com"));
                message.Body = new TextPart("plain") { Text = "A short plain-text message, like most mail a monitor sees." };
            }

            message.Subject = $"bench {i}";
            messages.Add(message);
        }

        return messages;
    }

    public async Task<IReadOnlyList<Sample>> MeasureAsync()
    {
        var samples = new List<Sample>();
        var messages = await MessagesAsync(_options.Warmup + _options.Messages);
        for (var i = 1; i <= _options.Warmup + _options.Messages; i++)
        {
            var message = messages[i - 1];

            long start;
            if (_options.Deliver == "maildir")
            {
                // As local delivery (and scripts/demo) does: written under tmp/, then renamed into new/.
                var name = $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.bench{i}.{Environment.MachineName}";
                var temporary = Path.Combine(_environment.InboxMaildir, "tmp", name);
                await message.WriteToAsync(temporary);
                start = Stopwatch.GetTimestamp();
                File.Move(temporary, Path.Combine(_environment.InboxMaildir, "new", name));
            }
            else
            {
                start = Stopwatch.GetTimestamp();
                await _appender!.Inbox.AppendAsync(message, MessageFlags.None);
            }

            var idleAt = await WaitForAsync(_idleNotifiedAt, i);
            var emailAt = await WaitForAsync(_newEmailAt, i);
            if (i > _options.Warmup)
            {
                samples.Add(new Sample(Stopwatch.GetElapsedTime(start, idleAt).TotalMilliseconds, Stopwatch.GetElapsedTime(start, emailAt).TotalMilliseconds));
            }

            await Task.Delay(_options.Gap);
        }

        return samples;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket?.Abort();
        _idleClient?.Dispose();
        _appender?.Dispose();
        foreach (var task in new[] { _idleLoop, _readLoop })
        {
            if (task is not null)
            {
                await task.ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        if (_ownsEnvironment)
        {
            await _environment.DisposeAsync();
        }

        _socket?.Dispose();
        _stop.Dispose();
    }

    private async Task ConnectAsync()
    {
        _idleClient = await _environment.ConnectImapAsync();
        await _idleClient.Inbox.OpenAsync(FolderAccess.ReadOnly);
        _idleClient.Inbox.CountChanged += (_, _) => _idleNotifiedAt.TryAdd(_idleClient.Inbox.Count, Stopwatch.GetTimestamp());
        _idleLoop = IdleLoopAsync(_idleClient, _stop.Token);
        _appender = await _environment.ConnectImapAsync();
        _socket = await BenchEnvironment.ConnectWebSocketAsync(_webPort, _stop.Token);
        _readLoop = BenchEnvironment.ReadFramesAsync(_socket, OnFrame, _stop.Token);
    }

    private void OnFrame(System.Text.Json.JsonElement frame, long receivedAt)
    {
        if (frame.GetProperty("type").GetString() == "new_email"
            && frame.GetProperty("subject").GetString() is { } subject
            && subject.StartsWith("bench ", StringComparison.Ordinal))
        {
            _newEmailAt.TryAdd(int.Parse(subject["bench ".Length..], CultureInfo.InvariantCulture), receivedAt);
        }
    }

    // The floor behaves as the monitor's session does: on news it leaves IDLE (DONE) and enters
    // it again, so both sessions are in the same state when the next message lands.
    internal static async Task IdleLoopAsync(ImapClient client, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            using var done = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            done.CancelAfter(TimeSpan.FromMinutes(5));
            void OnNews(object? sender, EventArgs e) => done.Cancel();
            client.Inbox.CountChanged += OnNews;
            try
            {
                await client.IdleAsync(done.Token, stopping);
            }
            finally
            {
                client.Inbox.CountChanged -= OnNews;
            }
        }
    }

    private static async Task<long> WaitForAsync(ConcurrentDictionary<int, long> arrivals, int number)
    {
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 30);
        while (!arrivals.ContainsKey(number))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Message {number} did not arrive within 30 s.");
            }

            await Task.Delay(1);
        }

        return arrivals[number];
    }
}
