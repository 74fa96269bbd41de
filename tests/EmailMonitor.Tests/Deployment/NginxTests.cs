using System.Net;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Deployment;

/// <summary>
/// Debian's nginx with deploy/nginx/email-monitor.conf in front of the service: TLS ends at nginx,
/// and behind it each client is still known by its own address (blocks, rate limits, the security
/// log), WebSockets open, pass events and keep the browser-origin check.
/// </summary>
public sealed class NginxTests
{
    private const string Blocked = "127.0.0.66";

    [Fact]
    public async Task Behind_nginx_blocks_and_rate_limits_apply_to_each_client_by_its_own_address()
    {
        await using var service = await ServiceHost.StartAsync(variables: v =>
        {
            v["TRUSTED_PROXIES"] = "127.0.0.1";
            v["BLOCKED_IPS"] = Blocked;
            v["RATE_LIMIT_REQUESTS"] = "5";
            v["RATE_LIMIT_WINDOW"] = "60";
        });
        await using var nginx = await NginxProxy.StartAsync(service);
        using var blocked = nginx.Client(Blocked);
        using var busy = nginx.Client("127.0.0.71");
        using var other = nginx.Client("127.0.0.72");
        using var forger = nginx.Client("127.0.0.73");
        var cancellation = TestContext.Current.CancellationToken;

        Assert.Equal(HttpStatusCode.Forbidden, (await blocked.GetAsync("/health/live", cancellation)).StatusCode);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await busy.GetAsync("/health/live", cancellation)).StatusCode);
        }

        var refused = await busy.GetAsync("/health/live", cancellation);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"Retry-After: {refused.Headers.RetryAfter}");
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/health/live", cancellation)).StatusCode);

        // A client's own X-Forwarded-For is replaced by nginx, not believed.
        using var forged = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        forged.Headers.Add("X-Forwarded-For", Blocked);
        Assert.Equal(HttpStatusCode.OK, (await forger.SendAsync(forged, cancellation)).StatusCode);

        var securityLog = await File.ReadAllTextAsync(Path.Combine(service.LogDirectory, "security.log"), cancellation);
        Assert.Contains(Blocked, securityLog);
        Assert.Contains("127.0.0.71", securityLog);
        Assert.Equal(string.Empty, nginx.Errors.Trim());
    }

    [Fact]
    public async Task Without_trusted_proxies_every_client_behind_nginx_is_nginx_itself()
    {
        await using var service = await ServiceHost.StartAsync(variables: v => v["BLOCKED_IPS"] = Blocked);
        await using var nginx = await NginxProxy.StartAsync(service);
        using var blocked = nginx.Client(Blocked);

        Assert.Equal(HttpStatusCode.OK, (await blocked.GetAsync("/health/live", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task A_websocket_opens_through_nginx_over_tls_and_receives_live_events()
    {
        await using var service = await ServiceHost.StartAsync(variables: v =>
        {
            v["TRUSTED_PROXIES"] = "127.0.0.1";
            v["BLOCKED_IPS"] = Blocked;
        });
        await using var nginx = await NginxProxy.StartAsync(service);

        // A browser on the dashboard sends the origin it was served from, port included.
        await using var client = await nginx.WebSocketAsync("127.0.0.81", origin: $"https://127.0.0.1:{nginx.HttpsPort}");
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        var ids = await InjectedEvents.InjectAsync(service, 2);
        Assert.Equal(ids[0], (await client.ReceiveAsync("new_email")).GetProperty("id").GetString());
        Assert.Equal(ids[1], (await client.ReceiveAsync("new_email")).GetProperty("id").GetString());

        Assert.Equal(HttpStatusCode.Forbidden, await nginx.RefusedWebSocketAsync("127.0.0.82", origin: "https://evil.example"));
        Assert.Equal(HttpStatusCode.Forbidden, await nginx.RefusedWebSocketAsync(Blocked));
    }

    [Fact]
    public async Task Plain_http_is_sent_to_https_and_https_answers_carry_hsts()
    {
        await using var service = await ServiceHost.StartAsync(variables: v => v["TRUSTED_PROXIES"] = "127.0.0.1");
        await using var nginx = await NginxProxy.StartAsync(service);
        using var plain = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        using var tls = nginx.Client("127.0.0.91");
        var cancellation = TestContext.Current.CancellationToken;

        var redirect = await plain.GetAsync(new Uri($"http://127.0.0.1:{nginx.HttpPort}/api/emails?limit=1"), cancellation);
        var live = await tls.GetAsync("/health/live", cancellation);

        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal("https://127.0.0.1/api/emails?limit=1", redirect.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.StartsWith("max-age=", string.Join(",", live.Headers.GetValues("Strict-Transport-Security")));
    }
}
