using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace EmailMonitor.Tests.Support;

/// <summary>
/// Debian's nginx in front of a service, configured by the repository's deploy/nginx/email-monitor.conf
/// with only what must differ on a test machine replaced: the listening ports (loopback), the
/// certificate (made by the test) and the service's address. Each replacement must match exactly,
/// so a change to the shipped file that the test no longer follows fails here instead of passing
/// with a configuration of the test's own.
/// </summary>
internal sealed class NginxProxy : IAsyncDisposable
{
    public const string Program = "/usr/sbin/nginx";

    private readonly TempDirectory _directory = new();
    private readonly StringBuilder _errors = new();
    private Process? _process;

    private NginxProxy()
    {
        Certificates = TestCertificates.Create(_directory.Combine("tls"));
        HttpPort = FreePort.Next();
        HttpsPort = FreePort.Next();
    }

    public TestCertificates Certificates { get; }

    public int HttpPort { get; }

    public int HttpsPort { get; }

    public Uri HttpsUri => new($"https://127.0.0.1:{HttpsPort}/");

    public Uri WssUri => new($"wss://127.0.0.1:{HttpsPort}/ws");

    public static string ShippedConfig => Path.Combine(RepositoryPaths.Root, "deploy", "nginx", "email-monitor.conf");

    public static async Task<NginxProxy> StartAsync(ServiceHost service)
    {
        var proxy = new NginxProxy();
        try
        {
            await proxy.RunAsync(service.BaseUri.Port);
            return proxy;
        }
        catch
        {
            await proxy.DisposeAsync();
            throw;
        }
    }

    /// <summary>An HTTPS client that connects from <paramref name="localAddress"/> and trusts only the test CA.</summary>
    public HttpClient Client(string localAddress, bool followRedirects = true)
    {
        var handler = FromAddress.Handler(localAddress);
        handler.AllowAutoRedirect = followRedirects;
        handler.SslOptions = TrustTestCa();
        return new HttpClient(handler) { BaseAddress = HttpsUri };
    }

    public Task<WsClient> WebSocketAsync(string localAddress, string? origin = null) =>
        WsClient.ConnectAsync(WssUri, read: true, WithOrigin(origin), new HttpMessageInvoker(WebSocketHandler(localAddress)));

    public Task<System.Net.HttpStatusCode> RefusedWebSocketAsync(string localAddress, string? origin = null) =>
        WsClient.RefusedHandshakeAsync(WssUri, new HttpMessageInvoker(WebSocketHandler(localAddress)), WithOrigin(origin));

    private static Action<System.Net.WebSockets.ClientWebSocketOptions> WithOrigin(string? origin) => options =>
    {
        if (origin is not null)
        {
            options.SetRequestHeader("Origin", origin);
        }
    };

    private SocketsHttpHandler WebSocketHandler(string localAddress)
    {
        var handler = FromAddress.Handler(localAddress);
        handler.SslOptions = TrustTestCa();
        return handler;
    }

    private SslClientAuthenticationOptions TrustTestCa() => new()
    {
        RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && Certificates.Trusts(new X509Certificate2(certificate)),
    };

    private async Task RunAsync(int servicePort)
    {
        var site = File.ReadAllText(ShippedConfig);
        site = ReplaceOnce(site, "    listen 80;\n", $"    listen 127.0.0.1:{HttpPort};\n");
        site = ReplaceOnce(site, "    listen [::]:80;\n", string.Empty);
        site = ReplaceOnce(site, "    listen 443 ssl;\n", $"    listen 127.0.0.1:{HttpsPort} ssl;\n");
        site = ReplaceOnce(site, "    listen [::]:443 ssl;\n", string.Empty);
        site = ReplaceOnce(site, "server 127.0.0.1:8765;", $"server 127.0.0.1:{servicePort};");
        site = ReplaceOnce(site, "/etc/ssl/certs/monitor.example.com.pem;", Certificates.ServerCertificatePath + ";");
        site = ReplaceOnce(site, "/etc/ssl/private/monitor.example.com.key;", Certificates.ServerKeyPath + ";");
        File.WriteAllText(_directory.Combine("email-monitor.conf"), site);

        // Workers drop to an unprivileged user when the tests run as root: their scratch directories
        // must be theirs to write.
        var scratch = _directory.Combine("scratch");
        Directory.CreateDirectory(scratch);
        File.SetUnixFileMode(scratch, (UnixFileMode)0b111_111_111);
        File.SetUnixFileMode(_directory.Path, (UnixFileMode)0b111_101_101);
        var main = $$"""
            worker_processes 1;
            pid {{_directory.Combine("nginx.pid")}};
            error_log stderr warn;
            {{(Environment.UserName == "root" ? "user nobody nogroup;" : string.Empty)}}
            events { worker_connections 512; }
            http {
                access_log off;
                client_body_temp_path {{scratch}}/body;
                proxy_temp_path {{scratch}}/proxy;
                fastcgi_temp_path {{scratch}}/fastcgi;
                uwsgi_temp_path {{scratch}}/uwsgi;
                scgi_temp_path {{scratch}}/scgi;
                include {{_directory.Combine("email-monitor.conf")}};
            }
            """;
        var configPath = _directory.Combine("nginx.conf");
        File.WriteAllText(configPath, main);

        var start = new ProcessStartInfo(Program, ["-p", _directory.Path, "-c", configPath, "-e", "stderr", "-g", "daemon off;"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Record(e.Data);
        _process.ErrorDataReceived += (_, e) => Record(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Eventually.TrueAsync(async () =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"nginx exited with {_process.ExitCode}: {Errors}");
            }

            return await FreePort.IsListeningAsync(HttpsPort);
        }, () => "nginx listens: " + Errors, TimeSpan.FromSeconds(20));
    }

    /// <summary>What nginx wrote to its error log.</summary>
    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            lock (_errors)
            {
                _errors.AppendLine(line);
            }
        }
    }

    private static string ReplaceOnce(string text, string what, string with)
    {
        var first = text.IndexOf(what, StringComparison.Ordinal);
        if (first < 0 || text.IndexOf(what, first + what.Length, StringComparison.Ordinal) >= 0)
        {
            throw new InvalidOperationException($"deploy/nginx/email-monitor.conf no longer holds '{what.Trim()}' exactly once; update {nameof(NginxProxy)}");
        }

        return string.Concat(text.AsSpan(0, first), with, text.AsSpan(first + what.Length));
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            // SIGTERM: nginx's fast shutdown, workers included.
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        _process?.Dispose();
        _directory.Dispose();
    }
}
