using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Api;

public sealed class OpenApiTests
{
    [Fact]
    public async Task The_openapi_document_describes_every_rest_path_and_how_to_sign_in()
    {
        await using var service = await ServiceHost.StartAsync();
        using var anonymous = ApiClient.Anonymous(service);

        var document = await anonymous.GetJsonAsync("/openapi/v1.json");

        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(
            new HashSet<string>
            {
                "/api/auth/login", "/api/auth/refresh", "/api/emails", "/api/emails/{id}", "/api/stats",
                "/api/admin/users", "/api/admin/users/{username}", "/api/admin/blocked-ips", "/api/admin/blocked-ips/{ip}", "/api/admin/mailboxes",
            },
            paths);
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("scheme").GetString());
        var listEmails = document.GetProperty("paths").GetProperty("/api/emails").GetProperty("get");
        Assert.True(listEmails.TryGetProperty("security", out _), "listing emails says it needs a token");
        var login = document.GetProperty("paths").GetProperty("/api/auth/login").GetProperty("post");
        Assert.False(login.TryGetProperty("security", out _), "signing in needs no token");
    }
}
