using System.Net;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Mailboxes;

/// <summary>Malformed and hostile mailbox requests: each refused with the field it got wrong, the service unchanged.</summary>
public sealed class MailboxApiInputTests : IAsyncLifetime
{
    private ServiceHost _service = null!;
    private ApiClient _admin = null!;

    public async ValueTask InitializeAsync()
    {
        _service = await ServiceHost.StartAsync();
        _admin = await ApiClient.SignInAsync(_service, ServiceHost.AdminUsername, _service.AdminPassword);
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await _service.DisposeAsync();
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { """{"name":"Bad Name!","host":"127.0.0.1","username":"u","password":"p"}""", "name" },
        { """{"host":"127.0.0.1","username":"u","password":"p"}""", "name" },
        { """{"name":"x","host":"127.0.0.1","port":"993","username":"u","password":"p"}""", "port" },
        { """{"name":"x","host":"127.0.0.1","port":70000,"username":"u","password":"p"}""", "port" },
        { """{"name":"x","host":"127.0.0.1","username":"u","pasword":"p"}""", "pasword" },
        { """{"name":"x","host":"127.0.0.1","username":"u","password":"p\r\nA1 DELETE INBOX"}""", "password" },
        { """{"name":"x","host":"127.0.0.1","username":"u"}""", "password" },
        { """{"name":"x","host":"mail.example.com","security":"none","username":"u","password":"p"}""", "security" },
        { """{"name":"x","host":"127.0.0.1","security":"tls","username":"u","password":"p"}""", "security" },
        { """{"name":"x","host":"127.0.0.1","protocol":"smtp","username":"u","password":"p"}""", "protocol" },
        { """{"name":"x","host":"not a host!","username":"u","password":"p"}""", "host" },
        { """{"name":"x","username":"u@unknown.example","password":"p"}""", "host" },
        { """{"name":"x","host":"127.0.0.1","username":"u","password":"p","folders":[]}""", "folders" },
        { """{"name":"x","host":"127.0.0.1","username":"u","password":"p","folders":["INBOX","INBOX"]}""", "folders" },
        { """{"name":"x","host":"127.0.0.1","username":"u","password":"p","folders":[1]}""", "folders" },
        { """{"name":"x","protocol":"pop3","host":"127.0.0.1","username":"u","password":"p","folders":["Alerts"]}""", "folders" },
        { """{"name":"x","host":"127.0.0.1","username":"u","password":"p","check_interval":1}""", "check_interval" },
        { """{"name":"x","host":"127.0.0.1","username":"u","password":"p","paused":"yes"}""", "paused" },
        { """{"name":"x","host":"127.0.0.1","username":"u","password":"p","oauth2":{"client_id":"c","refresh_token":"r","token_url":"https://t.example/token"}}""", "password" },
        { """{"name":"x","host":"127.0.0.1","username":"u","oauth2":{"client_id":"c","refresh_token":"r","token_url":"http://t.example/token"}}""", "oauth2.token_url" },
        { """{"name":"x","host":"127.0.0.1","username":"u","oauth2":{"client_id":"c","refresh_token":"r","token_url":"https://user:pw@t.example/token"}}""", "oauth2.token_url" },
        { """{"name":"x","host":"127.0.0.1","username":"u","oauth2":{"client_id":"c","token_url":"https://t.example/token"}}""", "oauth2.refresh_token" },
        { """{"name":"x","host":"127.0.0.1","username":"u","oauth2":{"client_id":"c","refresh_token":"r","token_url":"https://t.example/token","extra":1}}""", "oauth2.extra" },
        { """{"name":"x","host":"127.0.0.1","username":"u","oauth2":"token"}""", "oauth2" },
        { """["not","an","object"]""", "body" },
        { """{"name":"ops\n","host":"127.0.0.1","username":"u","password":"p"}""", "name" },
        { """{"name":"x","host":"127.0.0.1","username":"u","password":"p","password":"q"}""", "body" },
        { """{"name":""", "body" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_mailbox_is_refused_with_400_naming_the_field_and_nothing_is_added(string body, string field)
    {
        using var response = await _admin.SendAsync(HttpMethod.Post, "/api/admin/mailboxes", body);
        var problem = await ApiClient.ReadAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.DoesNotContain("A1 DELETE", problem.ToString());
        Assert.Single((await _admin.GetJsonAsync("/api/admin/mailboxes")).EnumerateArray());
    }

    [Fact]
    public async Task Names_are_unique_the_default_is_defined_by_variables_and_unknown_mailboxes_are_404()
    {
        var mailbox = new { name = "desk", host = "127.0.0.1", port = FreePort.Next(), security = "none", username = "u", password = "secret-1" };
        using (var created = await _admin.SendAsync(HttpMethod.Post, "/api/admin/mailboxes", mailbox))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var again = await _admin.SendAsync(HttpMethod.Post, "/api/admin/mailboxes", mailbox);
        using var asDefault = await _admin.SendAsync(HttpMethod.Post, "/api/admin/mailboxes", mailbox with { name = "default" });
        using var renamed = await _admin.SendAsync(HttpMethod.Patch, "/api/admin/mailboxes/desk", new { name = "other" });
        using var defaultHost = await _admin.SendAsync(HttpMethod.Patch, "/api/admin/mailboxes/default", new { host = "10.0.0.1" });
        using var removeDefault = await _admin.SendAsync(HttpMethod.Delete, "/api/admin/mailboxes/default");
        using var empty = await _admin.SendAsync(HttpMethod.Patch, "/api/admin/mailboxes/desk", "{}");
        using var unknownPatch = await _admin.SendAsync(HttpMethod.Patch, "/api/admin/mailboxes/nope", new { paused = true });
        using var unknownDelete = await _admin.SendAsync(HttpMethod.Delete, "/api/admin/mailboxes/nope");
        using var unknownGet = await _admin.GetAsync("/api/admin/mailboxes/nope");

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, asDefault.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, renamed.StatusCode);
        Assert.True((await ApiClient.ReadAsync(defaultHost)).GetProperty("errors").TryGetProperty("host", out _));
        Assert.Equal(HttpStatusCode.Conflict, removeDefault.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownPatch.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownDelete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownGet.StatusCode);
        Assert.Equal(["default", "desk"], (await _admin.GetJsonAsync("/api/admin/mailboxes")).EnumerateArray().Select(m => m.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task An_address_at_a_known_provider_needs_only_the_address_and_a_secret()
    {
        using var created = await _admin.SendAsync(HttpMethod.Post, "/api/admin/mailboxes", new { name = "gmail", username = "desk@gmail.com", password = "app-password" });
        var mailbox = await ApiClient.ReadAsync(created);
        using var outlook = await _admin.SendAsync(
            HttpMethod.Post, "/api/admin/mailboxes", new { name = "m365", provider = "outlook", username = "desk@contoso.example", oauth2 = new { client_id = "app", refresh_token = "rt" } });
        var oauth = await ApiClient.ReadAsync(outlook);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("imap.gmail.com", mailbox.GetProperty("host").GetString());
        Assert.Equal(993, mailbox.GetProperty("port").GetInt32());
        Assert.Equal("ssl", mailbox.GetProperty("security").GetString());
        Assert.Equal(HttpStatusCode.Created, outlook.StatusCode);
        Assert.Equal("outlook.office365.com", oauth.GetProperty("host").GetString());
        Assert.Equal("https://login.microsoftonline.com/common/oauth2/v2.0/token", oauth.GetProperty("oauth2").GetProperty("token_url").GetString());
        Assert.Contains("IMAP.AccessAsUser.All", oauth.GetProperty("oauth2").GetProperty("scope").GetString());
        Assert.True(oauth.GetProperty("oauth2").GetProperty("refresh_token_set").GetBoolean());
        Assert.False(oauth.GetProperty("password_set").GetBoolean());
        Assert.DoesNotContain("\"rt\"", oauth.ToString());
    }

    [Fact]
    public async Task A_stored_secret_is_never_sent_to_a_new_destination_unless_it_is_given_again()
    {
        using (var created = await _admin.SendAsync(
            HttpMethod.Post, "/api/admin/mailboxes", new { name = "desk", host = "127.0.0.1", port = FreePort.Next(), security = "none", username = "u", password = "stored-secret" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var created = await _admin.SendAsync(
            HttpMethod.Post,
            "/api/admin/mailboxes",
            new { name = "token", host = "127.0.0.1", security = "none", username = "u", oauth2 = new { token_url = "https://login.example/token", client_id = "c", refresh_token = "stored-rt" } }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var moved = await _admin.SendAsync(HttpMethod.Patch, "/api/admin/mailboxes/desk", new { host = "127.0.0.2" });
        using var otherUser = await _admin.SendAsync(HttpMethod.Patch, "/api/admin/mailboxes/desk", new { username = "someone-else" });
        using var otherEndpoint = await _admin.SendAsync(HttpMethod.Patch, "/api/admin/mailboxes/token", new { oauth2 = new { token_url = "https://attacker.example/token" } });
        using var harmless = await _admin.SendAsync(HttpMethod.Patch, "/api/admin/mailboxes/desk", new { check_interval = 60, folders = new[] { "INBOX", "Alerts" } });
        using var movedWithSecret = await _admin.SendAsync(HttpMethod.Patch, "/api/admin/mailboxes/desk", new { host = "127.0.0.2", password = "new-secret" });

        Assert.True((await ApiClient.ReadAsync(moved)).GetProperty("errors").TryGetProperty("password", out _));
        Assert.Equal(HttpStatusCode.BadRequest, otherUser.StatusCode);
        Assert.True((await ApiClient.ReadAsync(otherEndpoint)).GetProperty("errors").TryGetProperty("oauth2.refresh_token", out _));
        Assert.Equal(HttpStatusCode.OK, harmless.StatusCode);
        Assert.Equal(HttpStatusCode.OK, movedWithSecret.StatusCode);
        Assert.Equal("127.0.0.2", (await _admin.GetJsonAsync("/api/admin/mailboxes/desk")).GetProperty("host").GetString());
        Assert.Equal("https://login.example/token", (await _admin.GetJsonAsync("/api/admin/mailboxes/token")).GetProperty("oauth2").GetProperty("token_url").GetString());
    }

    [Fact]
    public async Task A_removed_mailbox_leaves_every_viewers_list_so_a_new_one_of_that_name_is_not_inherited()
    {
        var mailbox = new { name = "desk", host = "127.0.0.1", port = FreePort.Next(), security = "none", username = "u", password = "secret" };
        await _admin.SendAsync(HttpMethod.Post, "/api/admin/mailboxes", mailbox);
        await _admin.SendAsync(HttpMethod.Post, "/api/admin/users", new { username = "vera", password = "viewer-password-123", role = "viewer" });
        await _admin.SendAsync(HttpMethod.Patch, "/api/admin/users/vera", new { mailboxes = new[] { "desk", "default" } });

        await _admin.SendAsync(HttpMethod.Delete, "/api/admin/mailboxes/desk");
        await _admin.SendAsync(HttpMethod.Post, "/api/admin/mailboxes", mailbox);

        var vera = (await _admin.GetJsonAsync("/api/admin/users")).EnumerateArray().Single(u => u.GetProperty("username").GetString() == "vera");
        Assert.Equal(["default"], vera.GetProperty("mailboxes").EnumerateArray().Select(m => m.GetString()));
        Assert.False(_service.Get<EmailMonitor.Auth.MailboxAccess>().Allows("vera", "viewer", "desk"));
    }

    [Fact]
    public async Task Viewers_may_not_manage_mailboxes()
    {
        await _admin.SendAsync(HttpMethod.Post, "/api/admin/users", new { username = "vera", password = "viewer-password-123", role = "viewer" });
        using var viewer = await ApiClient.SignInAsync(_service, "vera", "viewer-password-123");

        using var create = await viewer.SendAsync(HttpMethod.Post, "/api/admin/mailboxes", new { name = "x", host = "127.0.0.1", username = "u", password = "p" });
        using var pause = await viewer.SendAsync(HttpMethod.Patch, "/api/admin/mailboxes/default", new { paused = true });
        using var remove = await viewer.SendAsync(HttpMethod.Delete, "/api/admin/mailboxes/default");

        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, pause.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, remove.StatusCode);
    }
}
