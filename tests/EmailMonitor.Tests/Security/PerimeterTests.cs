using System.Net;
using System.Net.WebSockets;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace EmailMonitor.Tests.Security;

/// <summary>IP lists, automatic blocks, proxies and origins, from distinct loopback source addresses.</summary>
public sealed class PerimeterTests
{
    [Fact]
    public async Task A_listed_address_is_refused_with_403_before_the_websocket_handshake_and_others_are_served()
    {
        await using var service = await ServiceHost.StartAsync(variables: v => v["BLOCKED_IPS"] = "127.0.0.2, 127.0.1.0/24");

        using var blocked = FromAddress.Http(service, "127.0.0.2");
        using var blockedByNetwork = FromAddress.Http(service, "127.0.1.77");
        using var allowed = FromAddress.Http(service, "127.0.0.3");

        Assert.Equal(HttpStatusCode.Forbidden, (await blocked.GetAsync("/", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await blockedByNetwork.GetAsync("/", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await allowed.GetAsync("/", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, await WsClient.RefusedHandshakeAsync(service.WebSocketUri, new HttpMessageInvoker(FromAddress.Handler("127.0.0.2"))));
        await using var client = await FromAddress.WebSocketAsync(service, "127.0.0.3");
        await client.SendAsync(new { type = "ping" });
        await client.ReceiveAsync("pong");
        var refusal = await blocked.GetAsync("/health/live", TestContext.Current.CancellationToken);
        Assert.Equal("application/problem+json", refusal.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task With_an_allow_list_only_listed_addresses_are_served()
    {
        await using var service = await ServiceHost.StartAsync(variables: v => v["ALLOWED_IPS"] = "127.0.0.4");

        using var listed = FromAddress.Http(service, "127.0.0.4");
        using var unlisted = FromAddress.Http(service, "127.0.0.5");

        Assert.Equal(HttpStatusCode.OK, (await listed.GetAsync("/health/live", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await unlisted.GetAsync("/health/live", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Repeated_violations_block_an_address_its_connections_close_and_a_restart_does_not_forgive()
    {
        await using var first = await ServiceHost.StartAsync(variables: v =>
        {
            v["AUTO_BLOCK_THRESHOLD"] = "3";
            v["AUTO_BLOCK_WINDOW"] = "60";
            v["AUTO_BLOCK_DURATION"] = "3600";
        });
        await using var bystander = await FromAddress.WebSocketAsync(first, "127.0.0.7");
        await using var attacker = await FromAddress.WebSocketAsync(first, "127.0.0.6");
        await using var attackersOtherConnection = await FromAddress.WebSocketAsync(first, "127.0.0.6");

        for (var attempt = 0; attempt < 3; attempt++)
        {
            await attacker.SendAsync(new { type = "login", username = "admin", password = $"guess-{attempt}" });
        }

        // The third failure blocks the address: every connection from it is closed at once.
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await attacker.WaitForCloseAsync());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await attackersOtherConnection.WaitForCloseAsync());
        Assert.Equal(HttpStatusCode.Forbidden, await WsClient.RefusedHandshakeAsync(first.WebSocketUri, new HttpMessageInvoker(FromAddress.Handler("127.0.0.6"))));
        await bystander.SendAsync(new { type = "ping" });
        await bystander.ReceiveAsync("pong");
        var securityLog = await File.ReadAllTextAsync(Path.Combine(first.LogDirectory, "security.log"), TestContext.Current.CancellationToken);
        TestOutput.WriteLine(securityLog);
        Assert.Contains("\"event\":\"ip_blocked\",\"ip\":\"127.0.0.6\"", securityLog);

        await first.StopAsync();
        await using var second = await first.StartAgainAsync();
        using var stillBlocked = FromAddress.Http(second, "127.0.0.6");
        Assert.Equal(HttpStatusCode.Forbidden, (await stillBlocked.GetAsync("/health/live", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task An_automatic_block_ends_after_its_duration()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var service = await ServiceHost.StartAsync(
            variables: v =>
            {
                v["AUTO_BLOCK_THRESHOLD"] = "2";
                v["AUTO_BLOCK_DURATION"] = "60";
            },
            configure: ServiceHost.UseClock(time));
        await using (var attacker = await FromAddress.WebSocketAsync(service, "127.0.0.8"))
        {
            await attacker.SendTextAsync("not json");
            await attacker.ReceiveAsync("error");
            await attacker.SendTextAsync("still not json");
            await attacker.WaitForCloseAsync();
        }

        using var http = FromAddress.Http(service, "127.0.0.8");
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/health/live", TestContext.Current.CancellationToken)).StatusCode);
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/health/live", TestContext.Current.CancellationToken)).StatusCode);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Forwarded_for_is_believed_only_from_a_trusted_proxy()
    {
        await using var untrusted = await ServiceHost.StartAsync(variables: v => v["BLOCKED_IPS"] = "10.9.9.9");
        await using var behindProxy = await ServiceHost.StartAsync(variables: v =>
        {
            v["BLOCKED_IPS"] = "10.9.9.9";
            v["TRUSTED_PROXIES"] = "127.0.0.9";
        });

        Assert.Equal(HttpStatusCode.OK, await GetWithForwardedForAsync(untrusted, "127.0.0.9", "10.9.9.9"));
        Assert.Equal(HttpStatusCode.Forbidden, await GetWithForwardedForAsync(behindProxy, "127.0.0.9", "10.9.9.9"));
        Assert.Equal(HttpStatusCode.OK, await GetWithForwardedForAsync(behindProxy, "127.0.0.10", "10.9.9.9"));
        Assert.Equal(HttpStatusCode.OK, await GetWithForwardedForAsync(behindProxy, "127.0.0.9", "10.1.1.1"));
    }

    [Fact]
    public async Task A_trusted_proxy_seen_as_the_client_is_never_blocked_automatically()
    {
        // No X-Forwarded-For from the proxy: every client behind it would look like the proxy.
        await using var service = await ServiceHost.StartAsync(variables: v =>
        {
            v["TRUSTED_PROXIES"] = "127.0.0.9";
            v["AUTO_BLOCK_THRESHOLD"] = "2";
        });
        await using (var throughProxy = await FromAddress.WebSocketAsync(service, "127.0.0.9"))
        {
            for (var i = 0; i < 3; i++)
            {
                await throughProxy.SendTextAsync("not json");
                await throughProxy.ReceiveAsync("error");
            }
        }

        using var http = FromAddress.Http(service, "127.0.0.9");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.OK)]
    [InlineData("1", HttpStatusCode.OK)]
    [InlineData("2", HttpStatusCode.Forbidden)]
    public async Task Forwarded_for_is_read_only_as_many_entries_as_there_are_proxy_hops(string? hops, HttpStatusCode expected)
    {
        // Clients sit inside the trusted range too: one of them prepends a blocked address of its
        // choosing, the one proxy appends the client's real one.
        await using var service = await ServiceHost.StartAsync(variables: v =>
        {
            v["BLOCKED_IPS"] = "10.9.9.9";
            v["TRUSTED_PROXIES"] = "127.0.0.0/24";
            if (hops is not null)
            {
                v["TRUSTED_PROXY_HOPS"] = hops;
            }
        });

        Assert.Equal(expected, await GetWithForwardedForAsync(service, "127.0.0.9", "10.9.9.9, 127.0.0.33"));
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData("https://evil.example", null, false)]
    [InlineData("null", null, false)]
    [InlineData("https://app.example", "https://app.example", true)]
    [InlineData("https://other.example", "https://app.example", false)]
    public async Task Browser_origins_are_checked_before_the_handshake(string? origin, string? allowedOrigins, bool accepted)
    {
        await using var service = await ServiceHost.StartAsync(variables: v =>
        {
            if (allowedOrigins is not null)
            {
                v["ALLOWED_ORIGINS"] = allowedOrigins;
            }
        });
        void WithOrigin(ClientWebSocketOptions options)
        {
            if (origin is not null)
            {
                options.SetRequestHeader("Origin", origin);
            }
        }

        if (accepted)
        {
            await using var client = await WsClient.ConnectAsync(service.WebSocketUri, configure: WithOrigin);
            await client.SendAsync(new { type = "ping" });
            await client.ReceiveAsync("pong");
        }
        else
        {
            Assert.Equal(HttpStatusCode.Forbidden, await WsClient.RefusedHandshakeAsync(service.WebSocketUri, configure: WithOrigin));
        }
    }

    [Fact]
    public async Task The_services_own_origin_may_always_open_the_websocket()
    {
        await using var service = await ServiceHost.StartAsync(variables: v => v["ALLOWED_ORIGINS"] = "https://app.example");
        var own = $"http://{service.BaseUri.Authority}";

        await using var client = await WsClient.ConnectAsync(service.WebSocketUri, configure: o => o.SetRequestHeader("Origin", own));

        await client.SendAsync(new { type = "ping" });
        await client.ReceiveAsync("pong");
    }

    private static async Task<HttpStatusCode> GetWithForwardedForAsync(ServiceHost service, string from, string forwardedFor)
    {
        using var http = FromAddress.Http(service, from);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return (await http.SendAsync(request, TestContext.Current.CancellationToken)).StatusCode;
    }
}
