using System.Diagnostics;
using System.Text.Json;
using MimeKit;

namespace EmailMonitor.Tests.Support;

/// <summary>
/// A real SMTP server (Debian's python3-aiosmtpd, driven by smtp_server.py beside this file) on a
/// free loopback port, one per test, keeping every message it accepts in its own directory. It can
/// demand STARTTLS (with the test CA's certificate) and a login, and can be stopped and started
/// again on the same port, as an operator restarting the relay would.
/// </summary>
internal sealed class SmtpServer : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly string[] _options;
    private Process? _process;

    private SmtpServer(string[] options)
    {
        Port = FreePort.Next();
        _options = options;
        Directory.CreateDirectory(Messages);
    }

    public int Port { get; }

    private string Messages => _directory.Combine("messages");

    public static async Task<SmtpServer> StartAsync(TestCertificates? tls = null, string? login = null)
    {
        var options = new List<string>();
        if (tls is not null)
        {
            options.AddRange(["--tls", tls.ServerCertificatePath, tls.ServerKeyPath]);
        }

        if (login is not null)
        {
            options.AddRange(["--login", login]);
        }

        var server = new SmtpServer([.. options]);
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        var script = Path.Combine(RepositoryPaths.Root, "tests", "EmailMonitor.Tests", "Support", "smtp_server.py");
        // Debian's interpreter, which has Debian's python3-aiosmtpd, whatever else is first on PATH.
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var start = new ProcessStartInfo(python, [script, "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--directory", Messages, .. _options])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, line) =>
        {
            if (line.Data == "ready")
            {
                ready.TrySetResult();
            }
        };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
    }

    /// <summary>How many messages the server has accepted.</summary>
    public int Count => Directory.GetFiles(Messages, "*.eml").Length;

    /// <summary>The <paramref name="number"/>th message accepted (from 1), once it is there, with its envelope.</summary>
    public async Task<ReceivedAlert> WaitForAsync(int number, TimeSpan? timeout = null)
    {
        var path = Path.Combine(Messages, $"{number:D5}");
        await Eventually.TrueAsync(() => File.Exists(path + ".eml"), $"SMTP message {number} accepted", timeout ?? TimeSpan.FromSeconds(30));
        using var envelope = JsonDocument.Parse(await File.ReadAllTextAsync(path + ".json", TestContext.Current.CancellationToken));
        var root = envelope.RootElement;
        return new ReceivedAlert(
            await MimeMessage.LoadAsync(path + ".eml", TestContext.Current.CancellationToken),
            root.GetProperty("mail_from").GetString()!,
            [.. root.GetProperty("rcpt_tos").EnumerateArray().Select(r => r.GetString()!)],
            root.GetProperty("tls").GetBoolean(),
            root.GetProperty("login").GetString());
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        _directory.Dispose();
    }
}

/// <summary>A message the SMTP server accepted: the message, its envelope, and how it came.</summary>
internal sealed record ReceivedAlert(MimeMessage Message, string MailFrom, IReadOnlyList<string> Recipients, bool Tls, string? Login)
{
    public string Text => Message.TextBody ?? string.Empty;
}
