using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;

namespace EmailMonitor.LatencyDriver;

/// <summary>
/// A private Dovecot, the monitor as its own process, a plain IDLE client, a WebSocket client and
/// an appender, all timed on this process's clock.
/// </summary>
internal sealed class LatencyRun : IAsyncDisposable
{
    private const string User = "bench";
    private const string Password = "bench-password";
    private const string AdminPassword = "bench-admin-password";

    private readonly DriverOptions _options;
    private readonly string _directory = Directory.CreateTempSubdirectory("email-monitor-bench-").FullName;
    private readonly ConcurrentDictionary<int, long> _idleNotifiedAt = new();
    private readonly ConcurrentDictionary<int, long> _newEmailAt = new();
    private readonly CancellationTokenSource _stop = new();
    private Process? _dovecot;
    private Process? _service;
    private ImapClient? _idleClient;
    private ImapClient? _appender;
    private ClientWebSocket? _socket;
    private Task? _idleLoop;
    private Task? _readLoop;

    private LatencyRun(DriverOptions options)
    {
        _options = options;
        // Dovecot's own processes run as other users and must reach the files under here.
        File.SetUnixFileMode(_directory, (UnixFileMode)0b111_101_101);
    }

    public static async Task<LatencyRun> StartAsync(DriverOptions options)
    {
        var run = new LatencyRun(options);
        await run.StartAsync();
        return run;
    }

    public async Task<IReadOnlyList<Sample>> MeasureAsync()
    {
        var samples = new List<Sample>();
        for (var i = 1; i <= _options.Warmup + _options.Messages; i++)
        {
            var message = new MimeMessage();
            message.From.Add(new MailboxAddress("Bench", "bench@example.com"));
            message.To.Add(new MailboxAddress("Monitor", "monitor@example.com"));
            message.Subject = $"bench {i}";
            message.Body = new TextPart("plain") { Text = "A short plain-text message, like most mail a monitor sees." };

            var start = Stopwatch.GetTimestamp();
            await _appender!.Inbox.AppendAsync(message, MessageFlags.None);
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
        await StopAsync(_service);
        await StopAsync(_dovecot);
        foreach (var task in new[] { _idleLoop, _readLoop })
        {
            if (task is not null)
            {
                await task.ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        Directory.Delete(_directory, recursive: true);
        _stop.Dispose();
    }

    private async Task StartAsync()
    {
        var imapPort = FreePort();
        var webPort = FreePort();
        var script = Path.Combine(_options.RepositoryRoot, "scripts", "dovecot");
        await RunAsync(script, "config", Path.Combine(_directory, "dovecot"), imapPort.ToString(CultureInfo.InvariantCulture), FreePort().ToString(CultureInfo.InvariantCulture), User, Password);
        _dovecot = Process.Start(script, ["run", Path.Combine(_directory, "dovecot")]);
        await RunAsync(script, "wait", Path.Combine(_directory, "dovecot"), imapPort.ToString(CultureInfo.InvariantCulture));

        var service = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "email-monitor.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["ENVIRONMENT"] = "development",
            ["LOG_LEVEL"] = "WARNING",
            ["DATA_DIR"] = Path.Combine(_directory, "data"),
            ["LOG_DIR"] = Path.Combine(_directory, "logs"),
            ["WEBSOCKET_HOST"] = "127.0.0.1",
            ["WEBSOCKET_PORT"] = webPort.ToString(CultureInfo.InvariantCulture),
            ["EMAIL_SERVER"] = "127.0.0.1",
            ["EMAIL_PORT"] = imapPort.ToString(CultureInfo.InvariantCulture),
            ["EMAIL_SECURITY"] = "none",
            ["EMAIL_USERNAME"] = User,
            ["EMAIL_PASSWORD"] = Password,
            ["ADMIN_PASSWORD"] = AdminPassword,
        })
        {
            service.Environment[name] = value;
        }

        _service = Process.Start(service)!;
        _service.OutputDataReceived += (_, _) => { };
        _service.ErrorDataReceived += (_, _) => { };
        _service.BeginOutputReadLine();
        _service.BeginErrorReadLine();
        await WaitUntilReadyAsync(new Uri($"http://127.0.0.1:{webPort}/health/ready"));

        _idleClient = await ConnectAsync(imapPort);
        await _idleClient.Inbox.OpenAsync(FolderAccess.ReadOnly);
        _idleClient.Inbox.CountChanged += (_, _) => _idleNotifiedAt.TryAdd(_idleClient.Inbox.Count, Stopwatch.GetTimestamp());
        _idleLoop = IdleLoopAsync(_idleClient);
        _appender = await ConnectAsync(imapPort);

        _socket = new ClientWebSocket();
        await _socket.ConnectAsync(new Uri($"ws://127.0.0.1:{webPort}/ws"), _stop.Token);
        await _socket.SendAsync(
            Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { type = "login", username = "admin", password = AdminPassword })),
            WebSocketMessageType.Text,
            true,
            _stop.Token);
        _readLoop = ReadLoopAsync(_socket);
    }

    private async Task IdleLoopAsync(ImapClient client)
    {
        while (!_stop.IsCancellationRequested)
        {
            using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            done.CancelAfter(TimeSpan.FromMinutes(5));
            await client.IdleAsync(done.Token, _stop.Token);
        }
    }

    private async Task ReadLoopAsync(ClientWebSocket socket)
    {
        var buffer = new byte[1 << 20];
        while (!_stop.IsCancellationRequested)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(length), _stop.Token);
                length += result.Count;
            }
            while (!result.EndOfMessage);

            var receivedAt = Stopwatch.GetTimestamp();
            using var frame = JsonDocument.Parse(buffer.AsMemory(0, length));
            if (frame.RootElement.GetProperty("type").GetString() == "new_email"
                && frame.RootElement.GetProperty("subject").GetString() is { } subject
                && subject.StartsWith("bench ", StringComparison.Ordinal))
            {
                _newEmailAt.TryAdd(int.Parse(subject["bench ".Length..], CultureInfo.InvariantCulture), receivedAt);
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

    private static async Task<ImapClient> ConnectAsync(int port)
    {
        var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
        await client.AuthenticateAsync(User, Password);
        return client;
    }

    private static async Task WaitUntilReadyAsync(Uri ready)
    {
        using var http = new HttpClient();
        for (var attempt = 0; attempt < 300; attempt++)
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

    private static async Task RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(file, arguments);
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}");
        }
    }

    private static async Task StopAsync(Process? process)
    {
        if (process is null || process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync();
        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
