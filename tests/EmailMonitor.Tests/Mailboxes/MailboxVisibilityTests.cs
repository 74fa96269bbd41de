using System.Net;
using System.Text.Json;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Mailboxes;

/// <summary>A viewer limited to some mailboxes never receives another's events: live, on resume, over REST or in stats.</summary>
public sealed class MailboxVisibilityTests
{
    [Fact]
    public async Task A_viewer_limited_to_one_mailbox_sees_only_its_events_everywhere_and_the_limit_applies_to_open_connections()
    {
        await using var service = await ServiceHost.StartAsync();
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        using (var created = await admin.SendAsync(HttpMethod.Post, "/api/admin/mailboxes", new { name = "alpha", host = "127.0.0.1", port = FreePort.Next(), security = "none", username = "a", password = "pw" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await admin.SendAsync(HttpMethod.Post, "/api/admin/users", new { username = "vera", password = "viewer-password-123", role = "viewer" });
        await using var vera = await WsClient.ConnectAsync(service.WebSocketUri);
        await vera.LoginAsync("vera", "viewer-password-123");
        await using var root = await WsClient.ConnectAsync(service.WebSocketUri);
        await root.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        // Limited while connected.
        using (var limited = await admin.SendAsync(HttpMethod.Patch, "/api/admin/users/vera", new { mailboxes = new[] { "alpha" } }))
        {
            Assert.Equal(HttpStatusCode.OK, limited.StatusCode);
            Assert.Equal(["alpha"], (await ApiClient.ReadAsync(limited)).GetProperty("mailboxes").EnumerateArray().Select(m => m.GetString()));
        }

        var hidden = await InjectedEvents.InjectAsync(service, 2, mailbox: "default");
        var shown = await InjectedEvents.InjectAsync(service, 1, mailbox: "alpha");

        var adminSaw = new[] { await root.ReceiveAsync("new_email"), await root.ReceiveAsync("new_email"), await root.ReceiveAsync("new_email") };
        var veraSaw = await vera.ReceiveAsync("new_email");
        Assert.Equal(3, adminSaw.Length);
        Assert.Equal(shown[0], veraSaw.GetProperty("id").GetString());
        Assert.Null(await vera.TryReceiveAsync(TimeSpan.FromMilliseconds(300)));

        await using (var again = await WsClient.ConnectAsync(service.WebSocketUri))
        {
            await again.LoginAsync("vera", "viewer-password-123");
            await again.SendAsync(new { type = "resume", last_event_id = 0 });
            var replay = await again.ReceiveUntilAsync(f => f.GetProperty("type").GetString() == "resume_complete");
            Assert.Equal([shown[0]], replay.Where(f => f.GetProperty("type").GetString() == "new_email").Select(f => f.GetProperty("id").GetString()));
            Assert.Equal(1, replay[^1].GetProperty("count").GetInt32());
        }

        using var viewer = await ApiClient.SignInAsync(service, "vera", "viewer-password-123");
        var page = await viewer.GetJsonAsync("/api/emails");
        Assert.Equal([shown[0]], page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        using (var other = await viewer.GetAsync($"/api/emails/{hidden[0]}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        }

        using (var asked = await viewer.GetAsync("/api/emails?mailbox=default"))
        {
            Assert.Empty((await ApiClient.ReadAsync(asked)).GetProperty("items").EnumerateArray());
        }

        var stats = await viewer.GetJsonAsync("/api/stats");
        Assert.All(stats.GetProperty("mailboxes").EnumerateArray(), m => Assert.Equal("alpha", m.GetProperty("mailbox").GetString()));

        // Back to all mailboxes: the next event of the default reaches vera at once.
        using (var all = await admin.SendAsync(HttpMethod.Patch, "/api/admin/users/vera", "{\"mailboxes\":null}"))
        {
            Assert.Equal(JsonValueKind.Null, (await ApiClient.ReadAsync(all)).GetProperty("mailboxes").ValueKind);
        }

        var later = await InjectedEvents.InjectAsync(service, 1, mailbox: "default");
        Assert.Equal(later[0], (await vera.ReceiveAsync("new_email")).GetProperty("id").GetString());
    }

    [Fact]
    public async Task An_administrator_demoted_to_a_limited_viewer_loses_the_other_mailboxes_on_the_connection_already_open()
    {
        await using var service = await ServiceHost.StartAsync();
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        await admin.SendAsync(HttpMethod.Post, "/api/admin/mailboxes", new { name = "alpha", host = "127.0.0.1", port = FreePort.Next(), security = "none", username = "a", password = "pw" });
        await admin.SendAsync(HttpMethod.Post, "/api/admin/users", new { username = "ada", password = "second-admin-password", role = "admin" });
        await using var ada = await WsClient.ConnectAsync(service.WebSocketUri);
        var login = await ada.LoginAsync("ada", "second-admin-password");

        await admin.SendAsync(HttpMethod.Patch, "/api/admin/users/ada", new { mailboxes = new[] { "alpha" } });
        await admin.SendAsync(HttpMethod.Patch, "/api/admin/users/ada", new { role = "viewer" });

        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, await ada.WaitForCloseAsync());
        Assert.Equal("role changed", ada.CloseDescription);
        await using var again = await WsClient.ConnectAsync(service.WebSocketUri);
        await again.SendAsync(new { type = "token_auth", token = login.GetProperty("access_token").GetString() });
        Assert.Equal("viewer", (await again.ReceiveAsync("auth_success")).GetProperty("role").GetString());
        await InjectedEvents.InjectAsync(service, 1, mailbox: "default");
        var shown = await InjectedEvents.InjectAsync(service, 1, mailbox: "alpha");
        Assert.Equal(shown[0], (await again.ReceiveAsync("new_email")).GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_user_can_be_created_limited_from_the_start()
    {
        await using var service = await ServiceHost.StartAsync();
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        await admin.SendAsync(HttpMethod.Post, "/api/admin/mailboxes", new { name = "alpha", host = "127.0.0.1", port = FreePort.Next(), security = "none", username = "a", password = "pw" });

        using var created = await admin.SendAsync(HttpMethod.Post, "/api/admin/users", new { username = "vera", password = "viewer-password-123", role = "viewer", mailboxes = new[] { "alpha" } });
        using var unknown = await admin.SendAsync(HttpMethod.Post, "/api/admin/users", new { username = "otto", password = "viewer-password-123", role = "viewer", mailboxes = new[] { "nope" } });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(["alpha"], (await ApiClient.ReadAsync(created)).GetProperty("mailboxes").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.DoesNotContain((await admin.GetJsonAsync("/api/admin/users")).EnumerateArray(), u => u.GetProperty("username").GetString() == "otto");
        await using var vera = await WsClient.ConnectAsync(service.WebSocketUri);
        await vera.LoginAsync("vera", "viewer-password-123");
        await InjectedEvents.InjectAsync(service, 1, mailbox: "default");
        var shown = await InjectedEvents.InjectAsync(service, 1, mailbox: "alpha");
        Assert.Equal(shown[0], (await vera.ReceiveAsync("new_email")).GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("{\"mailboxes\":[\"nope\"]}", "no mailbox is named 'nope'")]
    [InlineData("{\"mailboxes\":\"alpha\"}", "must be a list of mailbox names")]
    [InlineData("{\"mailboxes\":[1]}", "must be a list of mailbox names")]
    public async Task A_bad_mailbox_list_is_refused_and_changes_nothing(string body, string problem)
    {
        await using var service = await ServiceHost.StartAsync();
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        await admin.SendAsync(HttpMethod.Post, "/api/admin/users", new { username = "vera", password = "viewer-password-123", role = "viewer" });

        using var response = await admin.SendAsync(HttpMethod.Patch, "/api/admin/users/vera", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(problem, (await ApiClient.ReadAsync(response)).GetProperty("detail").GetString());
        var users = await admin.GetJsonAsync("/api/admin/users");
        Assert.Equal(JsonValueKind.Null, users.EnumerateArray().Single(u => u.GetProperty("username").GetString() == "vera").GetProperty("mailboxes").ValueKind);
    }
}
