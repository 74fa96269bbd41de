using System.Net;
using System.Net.WebSockets;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;

namespace EmailMonitor.Tests.Realtime;

/// <summary>Access and refresh tokens over the WebSocket: forged, expired, rotated, reused; lockout; deadlines.</summary>
public sealed class TokenTests
{
    public static TheoryData<string> ForgeryKinds => ["garbage", "alg none", "wrong key", "wrong issuer", "wrong audience", "no exp", "tampered payload", "HS512", "not yet valid", "empty"];

    [Theory]
    [MemberData(nameof(ForgeryKinds))]
    public async Task Forged_access_tokens_are_rejected_with_invalid_token(string kind)
    {
        await using var service = await ServiceHost.StartAsync();
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        var secret = service.Variables["JWT_SECRET_KEY"];
        var now = DateTimeOffset.UtcNow;
        var token = kind switch
        {
            "garbage" => "not.a.jwt",
            "alg none" => Tokens.Unsigned(now),
            "wrong key" => Tokens.Create(new string('k', 64), now),
            "wrong issuer" => Tokens.Create(secret, now, issuer: "someone-else"),
            "wrong audience" => Tokens.Create(secret, now, audience: "someone-else"),
            "no exp" => Tokens.Create(secret, now, withExpiry: false),
            "tampered payload" => Tokens.Tampered(Tokens.Create(secret, now)),
            "HS512" => Tokens.Create(secret, now, algorithm: SecurityAlgorithms.HmacSha512),
            "not yet valid" => Tokens.Create(secret, now, notBeforeIn: TimeSpan.FromHours(1)),
            _ => string.Empty,
        };

        await client.SendAsync(new { type = "token_auth", token });
        var error = await client.ReceiveAsync("error");

        Assert.Equal("invalid_token", error.GetProperty("code").GetString());
        // Control: a correctly made token for the same claims is accepted, so the rejection is the forgery's.
        await client.SendAsync(new { type = "token_auth", token = Tokens.Create(secret, now, sessionId: "control") });
        await client.ReceiveAsync("auth_success");
    }

    [Fact]
    public async Task An_expired_access_token_is_rejected_with_token_expired()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var service = await ServiceHost.StartAsync(configure: ServiceHost.UseClock(time));
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        var login = await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(6));
        await using var other = await WsClient.ConnectAsync(service.WebSocketUri);
        await other.SendAsync(new { type = "token_auth", token = login.GetProperty("access_token").GetString() });

        Assert.Equal("token_expired", (await other.ReceiveAsync("error")).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_connection_is_told_token_expired_when_its_token_expires_and_gets_no_email_until_it_authenticates_again()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var service = await ServiceHost.StartAsync(configure: ServiceHost.UseClock(time));
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        var login = await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        time.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal("token_expired", (await client.ReceiveAsync("error")).GetProperty("code").GetString());

        var missed = await InjectedEvents.InjectAsync(service, 1);
        Assert.Null(await client.TryReceiveAsync(TimeSpan.FromMilliseconds(500)));
        await client.SendAsync(new { type = "resume", last_event_id = 0 });
        Assert.Equal("token_expired", (await client.ReceiveAsync("error")).GetProperty("code").GetString());

        await client.SendAsync(new { type = "refresh_token", refresh_token = login.GetProperty("refresh_token").GetString() });
        var refreshed = await client.ReceiveAsync("token_refreshed");
        await client.SendAsync(new { type = "token_auth", token = refreshed.GetProperty("access_token").GetString() });
        await client.ReceiveAsync("auth_success");
        await client.SendAsync(new { type = "resume", last_event_id = 0 });

        var replayed = await client.ReceiveAsync("new_email");
        Assert.Equal(missed[0], replayed.GetProperty("id").GetString());
        Assert.Equal(1, (await client.ReceiveAsync("resume_complete")).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Refresh_rotates_the_pair_and_presenting_a_retired_refresh_token_revokes_the_whole_login()
    {
        await using var service = await ServiceHost.StartAsync();
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        var login = await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        var first = login.GetProperty("refresh_token").GetString();

        await client.SendAsync(new { type = "refresh_token", refresh_token = first });
        var rotated = await client.ReceiveAsync("token_refreshed");
        var second = rotated.GetProperty("refresh_token").GetString();
        Assert.NotEqual(first, second);
        Assert.NotEqual(login.GetProperty("access_token").GetString(), rotated.GetProperty("access_token").GetString());
        Assert.Equal("Bearer", rotated.GetProperty("token_type").GetString());
        Assert.InRange(rotated.GetProperty("expires_in").GetInt32(), 895, 900);

        await client.SendAsync(new { type = "refresh_token", refresh_token = first });
        Assert.Equal("token_revoked", (await client.ReceiveAsync("error")).GetProperty("code").GetString());
        // The connection was authenticated by the revoked login, so it ends too.
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.WaitForCloseAsync());

        // The thief's replay also killed the legitimate holder's newer tokens.
        await using var again = await WsClient.ConnectAsync(service.WebSocketUri);
        await again.SendAsync(new { type = "refresh_token", refresh_token = second });
        Assert.Equal("token_revoked", (await again.ReceiveAsync("error")).GetProperty("code").GetString());
        await again.SendAsync(new { type = "token_auth", token = rotated.GetProperty("access_token").GetString() });
        Assert.Equal("token_revoked", (await again.ReceiveAsync("error")).GetProperty("code").GetString());

        var securityLog = await File.ReadAllTextAsync(Path.Combine(service.LogDirectory, "security.log"), TestContext.Current.CancellationToken);
        Assert.Contains("\"event\":\"refresh_token_reuse\"", securityLog);
    }

    [Fact]
    public async Task Refresh_works_on_an_unauthenticated_connection_and_unknown_refresh_tokens_are_invalid()
    {
        await using var service = await ServiceHost.StartAsync();
        await using var first = await WsClient.ConnectAsync(service.WebSocketUri);
        var login = await first.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await using var fresh = await WsClient.ConnectAsync(service.WebSocketUri);

        await fresh.SendAsync(new { type = "refresh_token", refresh_token = "made-up-refresh-token" });
        Assert.Equal("invalid_token", (await fresh.ReceiveAsync("error")).GetProperty("code").GetString());
        await fresh.SendAsync(new { type = "refresh_token", refresh_token = login.GetProperty("refresh_token").GetString() });
        await fresh.ReceiveAsync("token_refreshed");
    }

    [Fact]
    public async Task An_expired_refresh_token_gets_token_expired()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var service = await ServiceHost.StartAsync(configure: ServiceHost.UseClock(time));
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        var login = await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        time.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));
        await client.SendAsync(new { type = "refresh_token", refresh_token = login.GetProperty("refresh_token").GetString() });

        Assert.Equal("token_expired", (await client.ReceiveAsync("error")).GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_account_locks_after_max_login_attempts_and_opens_again_after_the_lockout_duration()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var service = await ServiceHost.StartAsync(
            variables: v =>
            {
                v["MAX_LOGIN_ATTEMPTS"] = "3";
                v["LOCKOUT_DURATION"] = "600";
            },
            configure: ServiceHost.UseClock(time));
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await client.SendAsync(new { type = "login", username = "admin", password = $"wrong-{attempt}" });
            Assert.Equal("auth_failed", (await client.ReceiveAsync("error")).GetProperty("code").GetString());
        }

        await client.SendAsync(new { type = "login", username = "admin", password = service.AdminPassword });
        Assert.Equal("account_locked", (await client.ReceiveAsync("error")).GetProperty("code").GetString());

        time.Advance(TimeSpan.FromSeconds(601));
        await using var later = await WsClient.ConnectAsync(service.WebSocketUri);
        await later.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        // The fake clock may have crossed midnight (UTC), and the log then rolled over: read every file of it.
        var securityLog = string.Concat(Directory.GetFiles(service.LogDirectory, "security.log*").Select(File.ReadAllText));
        Assert.Contains("\"event\":\"account_locked\"", securityLog);
        Assert.Contains("\"event\":\"login_failed\"", securityLog);
    }

    [Fact]
    public async Task An_unknown_name_locks_after_the_same_failures_as_a_real_account_so_answers_reveal_nothing()
    {
        await using var service = await ServiceHost.StartAsync(variables: v => v["MAX_LOGIN_ATTEMPTS"] = "3");

        var real = await AnswersAsync(service, "127.0.0.40", "admin");
        var unknown = await AnswersAsync(service, "127.0.0.41", "ghost");

        Assert.Equal(["auth_failed", "auth_failed", "auth_failed", "account_locked", "account_locked"], real);
        Assert.Equal(real, unknown);
    }

    public static TheoryData<string, string[]> PasswordSequences => new()
    {
        { "empty passwords, then a wrong one", ["", "", "", "", "", "wrong"] },
        { "over-long passwords, then a wrong one", ["long", "long", "long", "long", "long", "wrong"] },
        { "a mix", ["", "wrong", "long", "", "wrong", "wrong", "long"] },
    };

    [Theory]
    [MemberData(nameof(PasswordSequences))]
    public async Task An_enabled_account_and_an_unknown_name_answer_alike_in_every_sequence(string sequence, string[] passwords)
    {
        await using var service = await ServiceHost.StartAsync();
        var variant = sequence.Length % 50;

        var real = await AnswersAsync(service, $"127.0.1.{variant}", "admin", passwords);
        var unknown = await AnswersAsync(service, $"127.0.2.{variant}", "ghost", passwords);

        Assert.Equal(real, unknown);
        Assert.Equal("account_locked", real[^1]);
    }

    [Fact]
    public async Task Guessing_from_one_address_locks_that_address_out_and_the_owner_still_signs_in_from_another()
    {
        await using var service = await ServiceHost.StartAsync();

        var guesses = await AnswersAsync(service, "127.0.0.50", "admin", ["wrong", "wrong", "wrong", "wrong", "wrong", "wrong"]);
        await using var owner = await FromAddress.WebSocketAsync(service, "127.0.0.51");

        Assert.Equal(["auth_failed", "auth_failed", "auth_failed", "auth_failed", "auth_failed", "account_locked"], guesses);
        Assert.Equal("admin", (await owner.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword)).GetProperty("username").GetString());
    }

    [Fact]
    public async Task An_owner_turned_away_while_the_account_is_under_attack_is_not_blocked_for_retrying()
    {
        // The service's clock stands still, so the slow-down does not lapse while the owner retries.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var service = await ServiceHost.StartAsync(
            variables: v =>
            {
                v["MAX_LOGIN_ATTEMPTS"] = "1";
                v["AUTO_BLOCK_THRESHOLD"] = "3";
            },
            configure: ServiceHost.UseClock(time));
        // Four times MAX_LOGIN_ATTEMPTS failures from all over: the account is slowed down.
        for (var address = 101; address <= 104; address++)
        {
            Assert.Equal(["auth_failed"], await AnswersAsync(service, $"127.0.0.{address}", "admin", ["wrong"]));
        }

        var owner = await AnswersAsync(service, "127.0.0.110", "admin", [service.AdminPassword, service.AdminPassword, service.AdminPassword, service.AdminPassword]);

        Assert.Equal(["rate_limited", "rate_limited", "rate_limited", "rate_limited"], owner);
        using var http = FromAddress.Http(service, "127.0.0.110");
        using var stillServed = await http.GetAsync("/health/live", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, stillServed.StatusCode);
    }

    [Fact]
    public async Task Logout_ends_the_login_on_every_socket_using_it_and_no_other()
    {
        await using var service = await ServiceHost.StartAsync();
        await using var first = await WsClient.ConnectAsync(service.WebSocketUri);
        var login = await first.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await using var sameLogin = await WsClient.ConnectAsync(service.WebSocketUri);
        await sameLogin.SendAsync(new { type = "token_auth", token = login.GetProperty("access_token").GetString() });
        await sameLogin.ReceiveAsync("auth_success");
        await using var otherLogin = await WsClient.ConnectAsync(service.WebSocketUri);
        await otherLogin.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        await first.SendAsync(new { type = "logout" });

        Assert.Equal(WebSocketCloseStatus.NormalClosure, await first.WaitForCloseAsync());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await sameLogin.WaitForCloseAsync());
        await otherLogin.SendAsync(new { type = "ping" });
        await otherLogin.ReceiveAsync("pong");
    }

    [Fact]
    public async Task Logout_everywhere_ends_every_login_of_the_user_sockets_access_and_refresh_tokens_and_no_other_users()
    {
        await using var service = await ServiceHost.StartAsync();
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        using (var created = await admin.SendAsync(HttpMethod.Post, "/api/admin/users", new { username = "analyst", password = "analyst-password-1", role = "viewer" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await using var phone = await WsClient.ConnectAsync(service.WebSocketUri);
        await phone.LoginAsync("analyst", "analyst-password-1");
        await using var laptop = await WsClient.ConnectAsync(service.WebSocketUri);
        var laptopLogin = await laptop.LoginAsync("analyst", "analyst-password-1");
        using var rest = await ApiClient.SignInAsync(service, "analyst", "analyst-password-1");
        await using var someoneElse = await WsClient.ConnectAsync(service.WebSocketUri);
        await someoneElse.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        // A malformed choice is refused, and nothing ends.
        await phone.SendAsync(new { type = "logout", everywhere = "yes" });
        Assert.Equal("invalid_message", (await phone.ReceiveAsync("error")).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, (await rest.GetAsync("/api/emails")).StatusCode);

        await phone.SendAsync(new { type = "logout", everywhere = true });

        Assert.Equal(WebSocketCloseStatus.NormalClosure, await phone.WaitForCloseAsync());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await laptop.WaitForCloseAsync()); // as any revoked login
        Assert.Equal(HttpStatusCode.Unauthorized, (await rest.GetAsync("/api/emails")).StatusCode);
        using var anonymous = ApiClient.Anonymous(service);
        using var refresh = await anonymous.SendAsync(HttpMethod.Post, "/api/auth/refresh", new { refresh_token = laptopLogin.GetProperty("refresh_token").GetString() });
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        await someoneElse.SendAsync(new { type = "ping" });
        await someoneElse.ReceiveAsync("pong");
        Assert.Contains(await File.ReadAllLinesAsync(Path.Combine(service.LogDirectory, "security.log"), TestContext.Current.CancellationToken), line => line.Contains("signed out everywhere", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_reused_refresh_token_ends_the_login_on_every_socket_using_it()
    {
        await using var service = await ServiceHost.StartAsync();
        await using var victim = await WsClient.ConnectAsync(service.WebSocketUri);
        var login = await victim.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await using var thief = await WsClient.ConnectAsync(service.WebSocketUri);
        await thief.SendAsync(new { type = "token_auth", token = login.GetProperty("access_token").GetString() });
        await thief.ReceiveAsync("auth_success");
        using var api = ApiClient.Anonymous(service);
        var refresh = new { refresh_token = login.GetProperty("refresh_token").GetString() };

        using var rotated = await api.SendAsync(HttpMethod.Post, "/api/auth/refresh", refresh);
        using var reused = await api.SendAsync(HttpMethod.Post, "/api/auth/refresh", refresh);

        Assert.True(rotated.IsSuccessStatusCode);
        Assert.False(reused.IsSuccessStatusCode);
        foreach (var client in new[] { victim, thief })
        {
            Assert.Equal("token_revoked", (await client.ReceiveAsync("error")).GetProperty("code").GetString());
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.WaitForCloseAsync());
        }
    }

    [Fact]
    public async Task A_connection_that_does_not_authenticate_within_10_seconds_is_closed_with_1008()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var service = await ServiceHost.StartAsync(configure: ServiceHost.UseClock(time));
        await using var idle = await WsClient.ConnectAsync(service.WebSocketUri);
        await using var authenticated = await WsClient.ConnectAsync(service.WebSocketUri);
        await authenticated.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await idle.SendAsync(new { type = "ping" });
        await idle.ReceiveAsync("pong");

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Null(await idle.TryReceiveAsync(TimeSpan.FromMilliseconds(200)));
        Assert.Equal(WebSocketState.Open, idle.State);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await idle.WaitForCloseAsync());
        await authenticated.SendAsync(new { type = "ping" });
        await authenticated.ReceiveAsync("pong");
    }

    [Fact]
    public async Task Sockets_left_unauthenticated_until_the_deadline_count_as_violations_and_get_their_address_blocked()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var service = await ServiceHost.StartAsync(variables: v => v["AUTO_BLOCK_THRESHOLD"] = "3", configure: ServiceHost.UseClock(time));
        var idle = new List<WsClient>();
        for (var i = 0; i < 3; i++)
        {
            var client = await FromAddress.WebSocketAsync(service, "127.0.0.95");
            await client.SendAsync(new { type = "ping" });
            await client.ReceiveAsync("pong");
            idle.Add(client);
        }

        time.Advance(TimeSpan.FromSeconds(10));

        foreach (var client in idle)
        {
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.WaitForCloseAsync());
            await client.DisposeAsync();
        }

        using var http = FromAddress.Http(service, "127.0.0.95");
        using var refused = await http.GetAsync("/health/live", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
        var securityLog = await File.ReadAllTextAsync(Path.Combine(service.LogDirectory, "security.log"), TestContext.Current.CancellationToken);
        Assert.Contains("authentication_timeout", securityLog);
    }

    private static Task<List<string>> AnswersAsync(ServiceHost service, string from, string username) =>
        AnswersAsync(service, from, username, [.. Enumerable.Range(0, 5).Select(attempt => $"wrong-{attempt}")]);

    // "long" stands for a password over the 1024-character limit.
    private static async Task<List<string>> AnswersAsync(ServiceHost service, string from, string username, string[] passwords)
    {
        await using var client = await FromAddress.WebSocketAsync(service, from);
        var answers = new List<string>();
        foreach (var password in passwords)
        {
            await client.SendAsync(new { type = "login", username, password = password == "long" ? new string('p', 2000) : password });
            answers.Add((await client.ReceiveAsync("error")).GetProperty("code").GetString()!);
        }

        return answers;
    }

}
