using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Webhooks;

/// <summary>
/// Sends webhook requests: 10 s for the whole attempt, no proxy, no cookies, redirects followed only
/// where the method and body are kept (307, 308) and at most three times. Every connection, the
/// first and those of redirects, goes to an address checked after its name was resolved: one that
/// is not public (<see cref="OutboundAddresses"/>) is refused unless WEBHOOK_ALLOW_PRIVATE is set,
/// and the connection is made to that very address, so a name re-resolved meanwhile (DNS
/// rebinding) cannot swap it.
/// </summary>
internal sealed class WebhookClient : IDisposable
{
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);
    private const int MaxRedirects = 3;

    private readonly HttpClient _http;
    private readonly bool _allowPrivate;
    private readonly Func<IPAddress, bool> _isPublic;

    public WebhookClient(IOptions<WebhookOptions> options)
        : this(options.Value.AllowPrivate, OutboundAddresses.IsPublic)
    {
    }

    /// <summary>With another idea of which addresses are public: tests, which have nothing but loopback.</summary>
    internal WebhookClient(bool allowPrivate, Func<IPAddress, bool> isPublic)
    {
        _allowPrivate = allowPrivate;
        _isPublic = isPublic;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = ConnectAsync,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>POSTs <paramref name="body"/>; the receiver's final status, or why there was none.</summary>
    public async Task<(int? Status, string? Error)> PostAsync(
        Uri url, byte[] body, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AttemptTimeout);
        try
        {
            for (var redirects = 0; ; redirects++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                foreach (var (name, value) in headers)
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                var status = (int)response.StatusCode;
                if (status is not (307 or 308))
                {
                    return status is >= 300 and < 400
                        ? (status, $"HTTP {status}: only redirects that keep the method (307, 308) are followed; give the webhook its final URL")
                        : (status, status is >= 200 and < 300 ? null : $"HTTP {status}");
                }

                if (redirects == MaxRedirects || response.Headers.Location is not { } location)
                {
                    return (status, response.Headers.Location is null ? $"HTTP {status} without a Location" : $"more than {MaxRedirects} redirects");
                }

                var next = location.IsAbsoluteUri ? location : new Uri(url, location);
                if (url.Scheme == Uri.UriSchemeHttps && next.Scheme != Uri.UriSchemeHttps)
                {
                    return (status, "redirected from https to http: refused, the email would travel unencrypted");
                }

                if (WebhookRequest.CheckUrl(next.AbsoluteUri, _allowPrivate) is { } problem)
                {
                    return (status, $"redirected to a URL that is refused: {problem}");
                }

                url = next;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"no answer within {AttemptTimeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException ex)
        {
            return (null, Describe(ex));
        }
    }

    public void Dispose() => _http.Dispose();

    private static string Describe(HttpRequestException ex)
    {
        for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is RefusedAddressException refused)
            {
                return refused.Message;
            }

            if (inner is SocketException socket)
            {
                return $"could not connect: {socket.SocketErrorCode}";
            }
        }

        return ex.HttpRequestError == HttpRequestError.Unknown ? "the request failed" : $"the request failed: {ex.HttpRequestError}";
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        if (!_allowPrivate && addresses.FirstOrDefault(address => !_isPublic(address)) is { } refused)
        {
            // Refused even when the name also has public addresses: it points at the inside.
            throw new RefusedAddressException(
                $"refused: {host} resolves to {refused}, a loopback, private or link-local address (set WEBHOOK_ALLOW_PRIVATE=true to send to your own network)");
        }

        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private sealed class RefusedAddressException(string message) : IOException(message);
}
