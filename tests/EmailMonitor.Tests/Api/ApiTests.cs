using System.Net;
using System.Net.Http.Json;
using System.Text;
using EmailMonitor.Auth;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace EmailMonitor.Tests.Api;

/// <summary>The REST side of CONTRACT §5 that the perimeter needs: tokens, stats, and lifting blocks.</summary>
public sealed class ApiTests
{
    [Fact]
    public async Task Login_and_refresh_give_the_same_tokens_as_the_websocket()
    {
        await using var service = await ServiceHost.StartAsync();
        using var api = ApiClient.Anonymous(service);

        var login = await api.SendAsync(HttpMethod.Post, "/api/auth/login", new { username = "admin", password = service.AdminPassword });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var tokens = await ApiClient.ReadAsync(login);
        Assert.True(login.Headers.CacheControl?.NoStore, "token answers must not be cached");
        Assert.Equal("nosniff", login.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Empty(login.Headers.Server);
        Assert.Equal("Bearer", tokens.GetProperty("token_type").GetString());
        Assert.InRange(tokens.GetProperty("expires_in").GetInt32(), 895, 900);

        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.SendAsync(new { type = "token_auth", token = tokens.GetProperty("access_token").GetString() });
        await client.ReceiveAsync("auth_success");

        var refreshed = await ApiClient.ReadAsync(await api.SendAsync(HttpMethod.Post, "/api/auth/refresh", new { refresh_token = tokens.GetProperty("refresh_token").GetString() }));
        Assert.NotEqual(tokens.GetProperty("refresh_token").GetString(), refreshed.GetProperty("refresh_token").GetString());
        var reused = await api.SendAsync(HttpMethod.Post, "/api/auth/refresh", new { refresh_token = tokens.GetProperty("refresh_token").GetString() });
        Assert.Equal(HttpStatusCode.Unauthorized, reused.StatusCode);
        Assert.Equal("token_revoked", (await ApiClient.ReadAsync(reused)).GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("{\"username\":\"admin\",\"password\":\"wrong\"}", HttpStatusCode.Unauthorized)]
    [InlineData("{\"username\":\"nobody\",\"password\":\"wrong\"}", HttpStatusCode.Unauthorized)]
    [InlineData("{\"username\":\"admin\"}", HttpStatusCode.BadRequest)]
    [InlineData("{}", HttpStatusCode.BadRequest)]
    [InlineData("not json", HttpStatusCode.BadRequest)]
    [InlineData("[1,2]", HttpStatusCode.BadRequest)]
    [InlineData("{\"username\":42,\"password\":true}", HttpStatusCode.BadRequest)]
    public async Task Bad_logins_and_malformed_bodies_get_problem_details(string body, HttpStatusCode expected)
    {
        await using var service = await ServiceHost.StartAsync();
        using var http = new HttpClient { BaseAddress = service.BaseUri };

        using var response = await http.PostAsync("/api/auth/login", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("Exception", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_body_over_64_KB_is_refused_with_413_and_the_service_keeps_serving()
    {
        await using var service = await ServiceHost.StartAsync();
        using var http = new HttpClient { BaseAddress = service.BaseUri };
        var huge = "{\"username\":\"admin\",\"password\":\"" + new string('x', 100_000) + "\"}";

        using var refused = await http.PostAsync("/api/auth/login", new StringContent(huge, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        using var served = await http.PostAsJsonAsync("/api/auth/login", new { username = "admin", password = service.AdminPassword }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task Stats_need_a_valid_token_and_report_the_seeds_metrics()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var service = await ServiceHost.StartAsync(configure: ServiceHost.UseClock(time));
        using var signedIn = await ApiClient.SignInAsync(service, "admin", service.AdminPassword);
        using var anonymous = ApiClient.Anonymous(service);
        using var forged = ApiClient.WithToken(service, "forged.token.value");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/stats")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/stats")).StatusCode);
        var stats = await ApiClient.ReadAsync(await signedIn.GetAsync("/api/stats"));
        foreach (var field in new[] { "active_connections", "emails_processed", "emails_per_minute", "rate_limits_exceeded", "blocked_ips", "failed_authentications", "uptime_seconds", "mailboxes" })
        {
            Assert.True(stats.TryGetProperty(field, out _), $"stats lack {field}: {stats}");
        }

        Assert.Equal(1, stats.GetProperty("failed_authentications").GetInt64());
        time.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(HttpStatusCode.Unauthorized, (await signedIn.GetAsync("/api/stats")).StatusCode);
    }

    [Fact]
    public async Task The_stats_history_has_a_point_a_minute_from_the_service_clock_and_the_one_in_progress()
    {
        // Emails put straight into storage: a mail session would take the moved clock for a
        // silent server and reconnect after a delay on a clock that no longer moves.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var service = await ServiceHost.StartAsync(configure: ServiceHost.UseClock(time));
        using var api = await ApiClient.SignInAsync(service, "admin", service.AdminPassword);
        using var anonymous = ApiClient.Anonymous(service);
        await InjectedEvents.InjectAsync(service, 1);
        await Eventually.TrueAsync(async () => (await api.GetJsonAsync("/api/stats")).GetProperty("emails_processed").GetInt64() == 1, "the email is stored");

        time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(
            async () => (await api.GetJsonAsync("/api/stats/history")).GetProperty("points").EnumerateArray().Any(p => p.GetProperty("complete").GetBoolean()),
            "the minute's sample is taken");
        await InjectedEvents.InjectAsync(service, 1);
        await Eventually.TrueAsync(async () => (await api.GetJsonAsync("/api/stats")).GetProperty("emails_processed").GetInt64() == 2, "the second is stored");

        var hour = await api.GetJsonAsync("/api/stats/history?period=hour");
        Assert.Equal("hour", hour.GetProperty("period").GetString());
        Assert.Equal(60, hour.GetProperty("interval_seconds").GetInt32());
        var points = hour.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal([1L, 1L], points.Select(p => p.GetProperty("emails").GetInt64()));
        Assert.Equal([true, false], points.Select(p => p.GetProperty("complete").GetBoolean()));
        Assert.Equal(0, points[0].GetProperty("active_connections").GetInt64()); // REST holds no WebSocket
        var day = await api.GetJsonAsync("/api/stats/history?period=day");
        Assert.Equal(2, day.GetProperty("points").EnumerateArray().Single().GetProperty("emails").GetInt64());

        // Flags count every mailbox: an administrator sees them, a viewer limited to some does not.
        service.Get<EmailMonitor.Observability.ServiceMetrics>().EmailFlagged(["spf_fail"]);
        using (var created = await api.SendAsync(HttpMethod.Post, "/api/admin/users", new { username = "limited", password = "limited-password-1", role = "viewer", mailboxes = new[] { "default" } }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var limited = await ApiClient.SignInAsync(service, "limited", "limited-password-1");
        Assert.Equal(1, (await api.GetJsonAsync("/api/stats/history")).GetProperty("points").EnumerateArray().Last().GetProperty("flagged").GetProperty("spf_fail").GetInt64());
        Assert.Empty((await limited.GetJsonAsync("/api/stats/history")).GetProperty("points").EnumerateArray().Last().GetProperty("flagged").EnumerateObject());

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/stats/history")).StatusCode);
        foreach (var bad in new[] { "?period=week", "?period=hour&period=day", "?period=HOUR" })
        {
            using var refused = await api.GetAsync("/api/stats/history" + bad);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("'period'", (await ApiClient.ReadAsync(refused)).GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task Admins_list_blocks_listed_and_automatic_and_lift_one_viewers_may_not()
    {
        await using var service = await ServiceHost.StartAsync(variables: v =>
        {
            v["BLOCKED_IPS"] = "192.0.2.0/24";
            v["AUTO_BLOCK_THRESHOLD"] = "2";
        });
        await service.Get<UserStore>().CreateAsync("watcher", PasswordHasher.Hash("watcher-password-1"), Roles.Viewer, DateTimeOffset.UtcNow, CancellationToken.None);
        using var admin = await ApiClient.SignInAsync(service, "admin", service.AdminPassword);
        using var viewer = await ApiClient.SignInAsync(service, "watcher", "watcher-password-1");
        using var attacker = FromAddress.Http(service, "127.0.0.30");
        for (var i = 0; i < 2; i++)
        {
            await attacker.PostAsJsonAsync("/api/auth/login", new { username = "admin", password = "guess" }, TestContext.Current.CancellationToken);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await attacker.GetAsync("/health/live", TestContext.Current.CancellationToken)).StatusCode);
        var blocks = await ApiClient.ReadAsync(await admin.GetAsync("/api/admin/blocked-ips"));
        Assert.Contains(blocks.EnumerateArray(), b => b.GetProperty("ip").GetString() == "192.0.2.0/24" && b.GetProperty("source").GetString() == "configuration");
        var automatic = Assert.Single(blocks.EnumerateArray(), b => b.GetProperty("ip").GetString() == "127.0.0.30");
        Assert.Contains("login_failed", automatic.GetProperty("reason").GetString());
        Assert.True(automatic.GetProperty("expires_at").GetDateTimeOffset() > DateTimeOffset.UtcNow);

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.SendAsync(HttpMethod.Delete, "/api/admin/blocked-ips/127.0.0.30")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/admin/blocked-ips")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(HttpMethod.Delete, "/api/admin/blocked-ips/127.0.0.30")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.SendAsync(HttpMethod.Delete, "/api/admin/blocked-ips/127.0.0.30")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.SendAsync(HttpMethod.Delete, "/api/admin/blocked-ips/192.0.2.7")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.SendAsync(HttpMethod.Delete, "/api/admin/blocked-ips/not-an-ip")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await attacker.GetAsync("/health/live", TestContext.Current.CancellationToken)).StatusCode);
    }
}
