using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Security;

/// <summary>Per-address budgets for HTTP requests, WebSocket messages and logins; one flood never slows another client.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task Http_requests_over_the_budget_get_429_with_retry_after_and_other_addresses_are_unaffected()
    {
        await using var service = await ServiceHost.StartAsync(variables: v =>
        {
            v["RATE_LIMIT_REQUESTS"] = "5";
            v["RATE_LIMIT_WINDOW"] = "60";
        });
        using var busy = FromAddress.Http(service, "127.0.0.12");
        using var other = FromAddress.Http(service, "127.0.0.13");

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await busy.GetAsync("/health/live", TestContext.Current.CancellationToken)).StatusCode);
        }

        var refused = await busy.GetAsync("/health/live", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"Retry-After: {refused.Headers.RetryAfter}");
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/health/live", TestContext.Current.CancellationToken)).StatusCode);
        var metrics = await other.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Matches(@"email_monitor_rate_limits_exceeded_total\{[^}]*where=""http""[^}]*\} 1\b", metrics);

        // Ten more refusals are counted, but written to security.log only once.
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, (await busy.GetAsync("/health/live", TestContext.Current.CancellationToken)).StatusCode);
        }

        var lines = File.ReadAllLines(Path.Combine(service.LogDirectory, "security.log"))
            .Where(line => line.Contains("\"event\":\"rate_limited\"", StringComparison.Ordinal) && line.Contains("127.0.0.12", StringComparison.Ordinal));
        Assert.Single(lines);
        metrics = await other.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Matches(@"email_monitor_rate_limits_exceeded_total\{[^}]*where=""http""[^}]*\} 11\b", metrics);
    }

    [Fact]
    public async Task WebSocket_messages_over_the_budget_get_rate_limited_and_a_client_that_keeps_going_is_closed_with_1008()
    {
        await using var service = await ServiceHost.StartAsync(variables: v =>
        {
            v["RATE_LIMIT_REQUESTS"] = "6";
            v["RATE_LIMIT_WINDOW"] = "60";
        });
        await using var client = await FromAddress.WebSocketAsync(service, "127.0.0.14");

        // The handshake took one request of six; five pings fit.
        for (var i = 0; i < 5; i++)
        {
            await client.SendAsync(new { type = "ping" });
            await client.ReceiveAsync("pong");
        }

        await client.SendAsync(new { type = "ping" });
        var limited = await client.ReceiveAsync("error");
        Assert.Equal("rate_limited", limited.GetProperty("code").GetString());
        for (var i = 0; i < 9; i++)
        {
            await client.SendAsync(new { type = "ping" });
        }

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.WaitForCloseAsync());
    }

    [Fact]
    public async Task Login_attempts_have_a_stricter_budget_spent_before_any_password_is_hashed()
    {
        await using var service = await ServiceHost.StartAsync(configure: builder => builder.Configuration["Security:LoginAttemptsPerMinute"] = "3");
        await using var client = await FromAddress.WebSocketAsync(service, "127.0.0.15");
        await using var elsewhere = await FromAddress.WebSocketAsync(service, "127.0.0.16");

        for (var i = 0; i < 3; i++)
        {
            await client.SendAsync(new { type = "login", username = "admin", password = "wrong" });
            Assert.Equal("auth_failed", (await client.ReceiveAsync("error")).GetProperty("code").GetString());
        }

        await client.SendAsync(new { type = "login", username = "admin", password = service.AdminPassword });
        Assert.Equal("rate_limited", (await client.ReceiveAsync("error")).GetProperty("code").GetString());
        await elsewhere.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
    }

    [Fact]
    public async Task A_flood_from_one_address_is_refused_while_another_clients_latency_stays_normal()
    {
        await using var service = await ServiceHost.StartAsync(variables: v =>
        {
            v["RATE_LIMIT_REQUESTS"] = "100";
            v["RATE_LIMIT_WINDOW"] = "60";
            v["AUTO_BLOCK_THRESHOLD"] = "1000000";
        });
        await using var quiet = await FromAddress.WebSocketAsync(service, "127.0.0.18");
        var before = await PingLatenciesAsync(quiet, 20);

        await using var flooder = await FromAddress.WebSocketAsync(service, "127.0.0.17", read: false);
        using var stop = new CancellationTokenSource();
        var sent = 0;
        var flood = Task.Run(
            async () =>
        {
            try
            {
                // Past the budget (100) at least, however quickly the other client was done.
                while (!stop.IsCancellationRequested || sent < 120)
                {
                    await flooder.SendTextAsync("{\"type\":\"ping\"}");
                    sent++;
                }
            }
            catch (WebSocketException)
            {
                // Cut off by the server, as it should be.
            }
        },
            TestContext.Current.CancellationToken);

        var during = await PingLatenciesAsync(quiet, 20);
        await stop.CancelAsync();
        await flood;

        // The server reads the flood at its own pace: wait until it has refused some.
        using var scraper = FromAddress.Http(service, "127.0.0.19");
        var refused = System.Text.RegularExpressions.Match.Empty;
        await Eventually.TrueAsync(
            async () => (refused = System.Text.RegularExpressions.Regex.Match(
                await scraper.GetStringAsync("/metrics"), @"email_monitor_rate_limits_exceeded_total\{[^}]*where=""websocket""[^}]*\} (\d+)")).Success,
            "the server refused part of the flood");
        TestOutput.WriteLine($"flood: {sent} frames sent from 127.0.0.17, {refused.Groups[1].Value} refused before the server closed it");
        TestOutput.WriteLine($"other client's ping round trip: median {Median(before):0.00} ms before, {Median(during):0.00} ms during the flood (p95 {Percentile(during, 0.95):0.00} ms)");
        Assert.True(refused.Success && long.Parse(refused.Groups[1].Value) >= 1, "the flood was refused");
        Assert.Equal(WebSocketState.Open, quiet.State);
        // Generous, to catch starvation rather than measure speed (benchmarks do that).
        Assert.True(Median(during) < 250, $"median latency during the flood: {Median(during):0.0} ms");
    }

    private static async Task<List<double>> PingLatenciesAsync(WsClient client, int count)
    {
        var latencies = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await client.SendAsync(new { type = "ping" });
            await client.ReceiveAsync("pong");
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return latencies;
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double quantile)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
