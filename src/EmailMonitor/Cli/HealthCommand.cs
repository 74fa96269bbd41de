using System.Globalization;
using System.Net;
using EmailMonitor.Configuration;

namespace EmailMonitor.Cli;

/// <summary>
/// <c>--health</c>: asks the service running beside it (the same settings) whether it is alive, at
/// <c>/health/live</c> on its own port over loopback, and exits 0 if it answers within 3 s. For
/// container health checks in images without curl. Liveness only: a 403 from the service's own
/// address filter (ALLOWED_IPS without 127.0.0.1) still shows a live process.
/// </summary>
internal static class HealthCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(LoadedSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        var values = settings.ConfigurationValues;
        var port = int.TryParse(values.GetValueOrDefault("Server:Port"), NumberStyles.None, CultureInfo.InvariantCulture, out var configured) ? configured : 8765;
        var host = values.GetValueOrDefault("Server:Host") is { Length: > 0 } listen && listen is not ("0.0.0.0" or "::" or "[::]" or "localhost")
            ? listen
            : "127.0.0.1";
        // As ServerOptions.TlsEnabled: the server speaks HTTPS only with both files.
        var tls = values.GetValueOrDefault("Server:CertificateFile") is { Length: > 0 } && values.GetValueOrDefault("Server:KeyFile") is { Length: > 0 };
        var url = new UriBuilder(tls ? "https" : "http", host, port, "/health/live").Uri;

        // The service's own certificate names its public host, not the loopback address asked here:
        // this probe checks that the process answers, not who it is.
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler) { Timeout = Timeout };
        try
        {
            using var response = await http.GetAsync(url, cancellationToken);
            var alive = response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Forbidden;
            await output.WriteLineAsync($"{url}: {(int)response.StatusCode} {(alive ? "alive" : "not healthy")}");
            return alive ? CommandLine.Success : CommandLine.RuntimeFailure;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await output.WriteLineAsync($"{url}: no answer ({(ex is TaskCanceledException ? $"nothing within {Timeout.TotalSeconds:0} s" : ex.Message)})");
            return CommandLine.RuntimeFailure;
        }
    }
}
