using System.Net;
using System.Net.WebSockets;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Api;

public sealed class UsersApiTests
{
    private const string ViewerPassword = "viewer-password-123";

    [Fact]
    public async Task An_admin_creates_a_viewer_who_sees_emails_and_stats_but_not_administration()
    {
        await using var service = await ServiceHost.StartAsync();
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);

        using var created = await admin.SendAsync(HttpMethod.Post, "/api/admin/users", new { username = "vera", password = ViewerPassword, role = "viewer" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("viewer", (await ApiClient.ReadAsync(created)).GetProperty("role").GetString());

        using var viewer = await ApiClient.SignInAsync(service, "vera", ViewerPassword);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/emails")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/stats")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/admin/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.SendAsync(HttpMethod.Post, "/api/admin/users", new { username = "mallory", password = ViewerPassword, role = "admin" })).StatusCode);

        using var listed = await admin.GetAsync("/api/admin/users");
        var body = await listed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var users = await ApiClient.ReadAsync(listed);
        Assert.Equal(["admin", "vera"], users.EnumerateArray().Select(u => u.GetProperty("username").GetString()));
        Assert.DoesNotContain("hash", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("pbkdf2", body, StringComparison.OrdinalIgnoreCase);
        var securityLog = File.ReadAllText(Path.Combine(service.LogDirectory, "security.log"));
        Assert.Contains("created vera as viewer", securityLog);
        Assert.DoesNotContain(ViewerPassword, securityLog);
    }

    [Theory]
    [InlineData("{\"username\":\"bad name!\",\"password\":\"long-enough-password\",\"role\":\"viewer\"}", HttpStatusCode.BadRequest, "'username'")]
    [InlineData("{\"username\":\"sam\",\"password\":\"short\",\"role\":\"viewer\"}", HttpStatusCode.BadRequest, "'password'")]
    [InlineData("{\"username\":\"sam\",\"password\":\"long-enough-password\",\"role\":\"root\"}", HttpStatusCode.BadRequest, "'role'")]
    [InlineData("{\"username\":\"sam\",\"role\":\"viewer\"}", HttpStatusCode.BadRequest, "'password'")]
    [InlineData("{\"username\":\"ADMIN\",\"password\":\"long-enough-password\",\"role\":\"viewer\"}", HttpStatusCode.Conflict, "exists")]
    [InlineData("not json", HttpStatusCode.BadRequest, null)]
    [InlineData("{\"username\":[1],\"password\":2}", HttpStatusCode.BadRequest, null)]
    public async Task A_bad_new_user_is_refused_naming_the_field(string body, HttpStatusCode expected, string? named)
    {
        await using var service = await ServiceHost.StartAsync();
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);

        using var response = await admin.SendAsync(HttpMethod.Post, "/api/admin/users", body);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (named is not null)
        {
            Assert.Contains(named, (await ApiClient.ReadAsync(response)).GetProperty("detail").GetString());
        }

        Assert.Single((await admin.GetJsonAsync("/api/admin/users")).EnumerateArray());
    }

    [Fact]
    public async Task A_new_password_ends_every_login_of_the_user_at_once()
    {
        await using var service = await ServiceHost.StartAsync();
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        await admin.SendAsync(HttpMethod.Post, "/api/admin/users", new { username = "vera", password = ViewerPassword, role = "viewer" });
        using var viewer = await ApiClient.SignInAsync(service, "vera", ViewerPassword);
        await using var socket = await WsClient.ConnectAsync(service.WebSocketUri);
        var tokens = await socket.LoginAsync("vera", ViewerPassword);

        using var changed = await admin.SendAsync(HttpMethod.Patch, "/api/admin/users/vera", new { password = "a-brand-new-password" });

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await socket.WaitForCloseAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await viewer.GetAsync("/api/emails")).StatusCode);
        using var anonymous = ApiClient.Anonymous(service);
        using var refreshed = await anonymous.SendAsync(HttpMethod.Post, "/api/auth/refresh", new { refresh_token = tokens.GetProperty("refresh_token").GetString() });
        Assert.Equal(HttpStatusCode.Unauthorized, refreshed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(HttpMethod.Post, "/api/auth/login", new { username = "vera", password = ViewerPassword })).StatusCode);
        using var again = await ApiClient.SignInAsync(service, "vera", "a-brand-new-password");
        Assert.DoesNotContain("a-brand-new-password", File.ReadAllText(Path.Combine(service.LogDirectory, "security.log")));
    }

    [Fact]
    public async Task A_disabled_user_cannot_sign_in_until_enabled_again()
    {
        await using var service = await ServiceHost.StartAsync();
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        await admin.SendAsync(HttpMethod.Post, "/api/admin/users", new { username = "vera", password = ViewerPassword, role = "viewer" });
        using var anonymous = ApiClient.Anonymous(service);

        Assert.Contains((await admin.GetJsonAsync("/api/admin/users")).EnumerateArray(), u => u.GetProperty("username").GetString() == "vera" && !u.GetProperty("disabled").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(HttpMethod.Patch, "/api/admin/users/vera", new { disabled = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(HttpMethod.Post, "/api/auth/login", new { username = "vera", password = ViewerPassword })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(HttpMethod.Patch, "/api/admin/users/vera", new { disabled = false })).StatusCode);
        using var vera = await ApiClient.SignInAsync(service, "vera", ViewerPassword);
    }

    [Fact]
    public async Task The_last_enabled_administrator_cannot_be_removed_demoted_or_disabled()
    {
        await using var service = await ServiceHost.StartAsync();
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);

        Assert.Equal(HttpStatusCode.Conflict, (await admin.SendAsync(HttpMethod.Delete, "/api/admin/users/admin")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.SendAsync(HttpMethod.Patch, "/api/admin/users/admin", new { role = "viewer" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.SendAsync(HttpMethod.Patch, "/api/admin/users/admin", new { disabled = true })).StatusCode);

        await admin.SendAsync(HttpMethod.Post, "/api/admin/users", new { username = "second", password = "second-admin-password", role = "admin" });
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(HttpMethod.Patch, "/api/admin/users/admin", new { role = "viewer" })).StatusCode);
        // The role comes from the account on every request: the demoted admin is a viewer now.
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/api/admin/users")).StatusCode);
        using var second = await ApiClient.SignInAsync(service, "second", "second-admin-password");
        Assert.Equal(HttpStatusCode.Conflict, (await second.SendAsync(HttpMethod.Delete, "/api/admin/users/second")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await second.SendAsync(HttpMethod.Delete, "/api/admin/users/admin")).StatusCode);
    }

    [Theory]
    [InlineData("PATCH", "/api/admin/users/nobody", "{\"role\":\"viewer\"}", HttpStatusCode.NotFound)]
    [InlineData("DELETE", "/api/admin/users/nobody", null, HttpStatusCode.NotFound)]
    [InlineData("PATCH", "/api/admin/users/admin", "{}", HttpStatusCode.BadRequest)]
    [InlineData("PATCH", "/api/admin/users/admin", "{\"role\":\"superuser\"}", HttpStatusCode.BadRequest)]
    [InlineData("PATCH", "/api/admin/users/admin", "{\"password\":\"short\"}", HttpStatusCode.BadRequest)]
    [InlineData("PATCH", "/api/admin/users/admin", "{\"disabled\":\"yes\"}", HttpStatusCode.BadRequest)]
    public async Task Changes_to_unknown_users_or_with_bad_fields_are_refused(string method, string path, string? body, HttpStatusCode expected)
    {
        await using var service = await ServiceHost.StartAsync();
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);

        using var response = await admin.SendAsync(new HttpMethod(method), path, body);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
