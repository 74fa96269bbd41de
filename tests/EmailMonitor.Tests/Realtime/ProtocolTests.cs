using System.Net.WebSockets;
using System.Text;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Realtime;

/// <summary>The WebSocket rules of CONTRACT §4 that need no mail server, on a real socket.</summary>
public sealed class ProtocolTests
{
    [Fact]
    public async Task Login_answers_auth_success_with_a_token_pair()
    {
        await using var service = await ServiceHost.StartAsync();
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);

        var success = await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        Assert.Equal("admin", success.GetProperty("username").GetString());
        Assert.Equal("admin", success.GetProperty("role").GetString());
        Assert.InRange(success.GetProperty("expires_in").GetInt32(), 895, 900);
        Assert.Equal("Bearer", success.GetProperty("token_type").GetString());
        Assert.Equal(3, success.GetProperty("access_token").GetString()!.Split('.').Length);
        Assert.True(success.GetProperty("refresh_token").GetString()!.Length >= 40);
    }

    [Fact]
    public async Task Wrong_password_and_unknown_user_get_the_same_auth_failed_answer()
    {
        await using var service = await ServiceHost.StartAsync();
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);

        await client.SendAsync(new { type = "login", username = "admin", password = "not-the-password" });
        var wrongPassword = await client.ReceiveAsync("error");
        await client.SendAsync(new { type = "login", username = "nobody-here", password = "not-the-password" });
        var unknownUser = await client.ReceiveAsync("error");

        Assert.Equal("auth_failed", wrongPassword.GetProperty("code").GetString());
        Assert.Equal(wrongPassword.ToString(), unknownUser.ToString());
    }

    [Fact]
    public async Task Ping_gets_pong_with_an_iso_8601_utc_timestamp_even_before_authentication()
    {
        await using var service = await ServiceHost.StartAsync();
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);

        await client.SendAsync(new { type = "ping" });
        var pong = await client.ReceiveAsync("pong");

        var timestamp = pong.GetProperty("timestamp").GetString()!;
        Assert.EndsWith("Z", timestamp);
        Assert.InRange(DateTimeOffset.Parse(timestamp), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Theory]
    [InlineData("resume")]
    [InlineData("logout")]
    public async Task Requests_that_need_a_session_get_auth_required_before_authentication(string type)
    {
        await using var service = await ServiceHost.StartAsync();
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);

        await client.SendTextAsync($$"""{"type":"{{type}}","last_event_id":0}""");

        var error = await client.ReceiveAsync("error");
        Assert.Equal("auth_required", error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1,2,3]")]
    [InlineData("\"login\"")]
    [InlineData("{}")]
    [InlineData("{\"type\":5}")]
    [InlineData("{\"type\":null}")]
    [InlineData("{\"type\":\"no_such_type\"}")]
    [InlineData("{\"type\":\"login\",\"username\":\"admin\"}")]
    [InlineData("{\"type\":\"login\",\"username\":42,\"password\":\"x\"}")]
    [InlineData("{\"type\":\"token_auth\"}")]
    [InlineData("{\"type\":\"refresh_token\",\"refresh_token\":[]}")]
    [InlineData("{\"type\":\"ping\",\"deep\":[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]}")]
    [InlineData("{\"type\":\"login\",\"username\":\"\\ud800\",\"password\":\"x\"}")]
    public async Task Malformed_frames_get_invalid_message_and_the_connection_stays_usable(string frame)
    {
        await using var service = await ServiceHost.StartAsync();
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);

        await client.SendTextAsync(frame);
        var error = await client.ReceiveAsync("error");
        await client.SendAsync(new { type = "ping" });

        Assert.Equal("invalid_message", error.GetProperty("code").GetString());
        await client.ReceiveAsync("pong");
    }

    [Fact]
    public async Task Binary_frames_get_invalid_message()
    {
        await using var service = await ServiceHost.StartAsync();
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);

        await client.SendBytesAsync(Encoding.UTF8.GetBytes("{\"type\":\"ping\"}"), WebSocketMessageType.Binary);
        var binary = await client.ReceiveAsync("error");

        Assert.Equal("invalid_message", binary.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Resume_with_a_bad_last_event_id_gets_invalid_message()
    {
        await using var service = await ServiceHost.StartAsync();
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        foreach (var frame in new[] { "{\"type\":\"resume\"}", "{\"type\":\"resume\",\"last_event_id\":-1}", "{\"type\":\"resume\",\"last_event_id\":\"7\"}", "{\"type\":\"resume\",\"last_event_id\":1.5}" })
        {
            await client.SendTextAsync(frame);
            var error = await client.ReceiveAsync("error");
            Assert.Equal("invalid_message", error.GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task A_frame_of_64_KiB_is_read_and_one_byte_more_closes_with_1009()
    {
        await using var service = await ServiceHost.StartAsync();
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);

        var filler = "{\"type\":\"ping\",\"pad\":\"";
        var atLimit = filler + new string('a', (64 * 1024) - filler.Length - 2) + "\"}";
        Assert.Equal(64 * 1024, Encoding.UTF8.GetByteCount(atLimit));
        await client.SendTextAsync(atLimit);
        await client.ReceiveAsync("pong");

        await client.SendTextAsync(atLimit.Insert(filler.Length, "a"));

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await client.WaitForCloseAsync());
    }

    [Fact]
    public async Task Messages_of_any_size_up_to_the_limit_and_in_any_number_of_frames_are_read_whole()
    {
        await using var service = await ServiceHost.StartAsync();
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        var filler = "{\"type\":\"ping\",\"pad\":\"";

        // Around the sizes the server's receive buffer starts at and grows through.
        foreach (var size in new[] { 40, 4095, 4096, 4097, 8193, 40_000, 64 * 1024 })
        {
            foreach (var fragment in new[] { 1000, 4096, 70_000 })
            {
                var text = filler + new string('a', size - filler.Length - 2) + "\"}";
                await client.SendFragmentedAsync(text, fragment);
                Assert.Equal("pong", (await client.ReceiveAsync()).GetProperty("type").GetString());
            }
        }

        // A message that breaks only in its last byte: read whole, so the break is found.
        var broken = filler + new string('a', 9000) + "\"";
        await client.SendFragmentedAsync(broken, 4096);
        Assert.Equal("invalid_message", (await client.ReceiveAsync("error")).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Clients_that_drop_in_the_middle_of_a_large_message_leave_every_other_client_read_correctly()
    {
        await using var service = await ServiceHost.StartAsync();
        await using var first = await WsClient.ConnectAsync(service.WebSocketUri);
        await using var second = await WsClient.ConnectAsync(service.WebSocketUri);
        var filler = "{\"type\":\"ping\",\"pad\":\"";

        for (var round = 0; round < 10; round++)
        {
            // Past the first buffer and the second: the buffer being read into has been replaced twice.
            foreach (var bytes in new[] { 5000, 20_000 })
            {
                await using var dropping = await WsClient.ConnectAsync(service.WebSocketUri);
                await dropping.AbortMidMessageAsync(bytes);
            }

            // Two clients send large messages at once, one whole and one cut short: a buffer handed
            // out twice would mix them, and the answers with them.
            var whole = filler + new string('b', 9000 + round) + "\"}";
            var cut = filler + new string('c', 12_000 + round);
            await Task.WhenAll(first.SendFragmentedAsync(whole, 3000), second.SendFragmentedAsync(cut, 3000));
            Assert.Equal("pong", (await first.ReceiveAsync()).GetProperty("type").GetString());
            Assert.Equal("invalid_message", (await second.ReceiveAsync("error")).GetProperty("code").GetString());
        }
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/ws")]
    public async Task Both_endpoints_speak_the_protocol(string path)
    {
        await using var service = await ServiceHost.StartAsync();
        await using var client = await WsClient.ConnectAsync(new UriBuilder(service.WebSocketUri) { Path = path }.Uri);

        var success = await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        Assert.Equal("admin", success.GetProperty("username").GetString());
    }

    [Fact]
    public async Task Token_auth_with_an_access_token_authenticates_without_issuing_new_tokens()
    {
        await using var service = await ServiceHost.StartAsync();
        await using var first = await WsClient.ConnectAsync(service.WebSocketUri);
        var login = await first.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await using var second = await WsClient.ConnectAsync(service.WebSocketUri);

        await second.SendAsync(new { type = "token_auth", token = login.GetProperty("access_token").GetString() });
        var success = await second.ReceiveAsync("auth_success");

        Assert.Equal("admin", success.GetProperty("username").GetString());
        Assert.Equal("admin", success.GetProperty("role").GetString());
        Assert.True(success.GetProperty("expires_in").GetInt32() > 0);
        Assert.False(success.TryGetProperty("access_token", out _));
        Assert.False(success.TryGetProperty("refresh_token", out _));
    }

    [Fact]
    public async Task A_connection_signing_in_while_events_stream_gets_auth_success_before_any_email()
    {
        await using var service = await ServiceHost.StartAsync();
        string? token;
        await using (var first = await WsClient.ConnectAsync(service.WebSocketUri))
        {
            token = (await first.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword)).GetProperty("access_token").GetString();
        }

        // Events stream the whole time, so a connection that took events an instant before its
        // answer was queued would, over thousands of sign-ins, get an email first. A soak saw it
        // once in 29,390 sign-ins at 10 emails a second. The check is statistical: the narrowest
        // form of the bug (taking events one enqueue early) failed it one run in five at 600.
        using var stop = new CancellationTokenSource();
        var streaming = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await InjectedEvents.InjectAsync(service, 5);
            }
        }, TestContext.Current.CancellationToken);
        try
        {
            var cancellation = TestContext.Current.CancellationToken;
            for (var signIn = 0; signIn < 2000; signIn++)
            {
                // A bare socket, dropped after its first frame: events keep coming, and a reader
                // in the background would be cut off in the middle of one.
                using var socket = new ClientWebSocket();
                await socket.ConnectAsync(service.WebSocketUri, cancellation);
                await socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"type":"token_auth","token":"{{token}}"}"""), WebSocketMessageType.Text, true, cancellation);
                using var reply = new MemoryStream();
                var buffer = new byte[16 * 1024];
                WebSocketReceiveResult part;
                do
                {
                    part = await socket.ReceiveAsync(buffer, cancellation);
                    reply.Write(buffer, 0, part.Count);
                }
                while (!part.EndOfMessage);

                var text = Encoding.UTF8.GetString(reply.ToArray());
                Assert.True(text.StartsWith("{\"type\":\"auth_success\"", StringComparison.Ordinal), $"sign-in {signIn} got this first: {text}");
                socket.Abort();
            }
        }
        finally
        {
            await stop.CancelAsync();
            await streaming;
        }
    }

    [Fact]
    public async Task Logout_closes_with_1000_and_retires_the_sessions_tokens()
    {
        await using var service = await ServiceHost.StartAsync();
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        var login = await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        await client.SendAsync(new { type = "logout" });
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await client.WaitForCloseAsync());

        await using var other = await WsClient.ConnectAsync(service.WebSocketUri);
        await other.SendAsync(new { type = "refresh_token", refresh_token = login.GetProperty("refresh_token").GetString() });
        Assert.Equal("token_revoked", (await other.ReceiveAsync("error")).GetProperty("code").GetString());
        await other.SendAsync(new { type = "token_auth", token = login.GetProperty("access_token").GetString() });
        Assert.Equal("token_revoked", (await other.ReceiveAsync("error")).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Connections_beyond_max_connections_are_closed_with_1013()
    {
        await using var service = await ServiceHost.StartAsync(variables: v =>
        {
            v["MAX_CONNECTIONS"] = "2";
            v["MAX_CONNECTIONS_PER_IP"] = "2";
        });
        await using var first = await WsClient.ConnectAsync(service.WebSocketUri);
        await using var second = await WsClient.ConnectAsync(service.WebSocketUri);
        await first.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await second.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        await using var third = await WsClient.ConnectAsync(service.WebSocketUri);

        Assert.Equal((WebSocketCloseStatus)1013, await third.WaitForCloseAsync());
        await first.SendAsync(new { type = "ping" });
        await first.ReceiveAsync("pong");
    }

    [Fact]
    public async Task Plain_get_of_root_serves_the_dashboard_with_a_strict_content_security_policy()
    {
        await using var service = await ServiceHost.StartAsync();
        using var http = new HttpClient { BaseAddress = service.BaseUri };

        using var response = await http.GetAsync("/", TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<title>Email Monitor</title>", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", policy);
        Assert.DoesNotContain("unsafe-eval", policy);
    }
}
