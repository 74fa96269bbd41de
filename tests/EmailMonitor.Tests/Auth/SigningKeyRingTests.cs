using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace EmailMonitor.Tests.Auth;

/// <summary>The ring of access token signing keys: rotation without re-login, shared by instances, on a schedule.</summary>
public sealed class SigningKeyRingTests
{
    [Fact]
    public async Task Rotating_signs_new_tokens_under_a_new_kid_and_tokens_signed_before_keep_working()
    {
        await using var service = await ServiceHost.StartAsync();
        var before = await SignInAsync(service);
        using var admin = ApiClient.WithToken(service, before);

        using var rotated = await admin.SendAsync(HttpMethod.Post, "/api/admin/signing-keys");
        Assert.Equal(HttpStatusCode.Created, rotated.StatusCode);
        var kid = (await rotated.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("kid").GetString();
        var after = await SignInAsync(service);

        Assert.NotEqual(Kid(before), Kid(after));
        Assert.Equal(kid, Kid(after));
        // The token from before the rotation still works: nobody has to sign in again.
        await admin.GetJsonAsync("/api/stats");
        using var next = ApiClient.WithToken(service, after);
        var keys = await next.GetJsonAsync("/api/admin/signing-keys");
        Assert.Equal(["validating", "signing"], keys.EnumerateArray().Select(k => k.GetProperty("state").GetString()));
        Assert.DoesNotContain("key\"", keys.GetRawText().Replace("\"kid\"", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains(await SecurityLogAsync(service), line => line.Contains("signing_key_rotated", StringComparison.Ordinal) && line.Contains(kid!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_naming_a_key_the_ring_does_not_hold_or_signed_with_another_key_under_a_known_name_is_refused()
    {
        await using var service = await ServiceHost.StartAsync();
        using var admin = ApiClient.WithToken(service, await SignInAsync(service));
        var kid = (await (await admin.SendAsync(HttpMethod.Post, "/api/admin/signing-keys")).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("kid").GetString();
        var now = DateTimeOffset.UtcNow;
        var secret = service.Variables["JWT_SECRET_KEY"];

        foreach (var forged in new[]
        {
            Tokens.Create(secret, now, keyId: "0123456789abcdef"),
            Tokens.Create(secret, now, keyId: "../../etc/passwd"),
            Tokens.Create(secret, now, keyId: new string('k', 5000)),
            Tokens.Create("another-secret-of-at-least-32-bytes!!", now, keyId: kid),
        })
        {
            using var client = ApiClient.WithToken(service, forged);
            using var response = await client.GetAsync("/api/stats");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        // A token of the root key with no kid at all (as issued before the ring) still validates.
        using var legacy = ApiClient.WithToken(service, Tokens.Create(secret, now));
        await legacy.GetJsonAsync("/api/stats");
    }

    [Fact]
    public async Task Instances_sharing_a_database_share_the_ring_so_a_token_from_one_works_on_the_other_at_once()
    {
        var url = PostgresServer.Shared.CreateDatabase();
        await using var first = await ServiceHost.StartAsync(variables: v => { v["DATABASE_URL"] = url; v["INSTANCE_ID"] = "first"; });
        await using var second = await ServiceHost.StartAsync(variables: v =>
        {
            v["DATABASE_URL"] = url;
            v["INSTANCE_ID"] = "second";
            v["JWT_SECRET_KEY"] = first.Variables["JWT_SECRET_KEY"];
        });
        using var admin = ApiClient.WithToken(first, await SignInAsync(first));
        Assert.Equal(HttpStatusCode.Created, (await admin.SendAsync(HttpMethod.Post, "/api/admin/signing-keys")).StatusCode);

        var token = await SignInAsync(first, first.AdminPassword);
        using var elsewhere = ApiClient.WithToken(second, token);

        await elsewhere.GetJsonAsync("/api/stats");
    }

    [Fact]
    public async Task The_schedule_rotates_once_per_turn_however_many_instances_run_it()
    {
        var url = PostgresServer.Shared.CreateDatabase();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        void Configure(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder)
        {
            ServiceHost.UseClock(clock)(builder);
            builder.Configuration["Auth:SigningKeyReload"] = "00:00:10";
        }

        await using var first = await ServiceHost.StartAsync(variables: v => { v["DATABASE_URL"] = url; v["JWT_KEY_ROTATION_DAYS"] = "1"; v["INSTANCE_ID"] = "first"; }, configure: Configure);
        await using var second = await ServiceHost.StartAsync(
            variables: v => { v["DATABASE_URL"] = url; v["JWT_KEY_ROTATION_DAYS"] = "1"; v["INSTANCE_ID"] = "second"; v["JWT_SECRET_KEY"] = first.Variables["JWT_SECRET_KEY"]; },
            configure: Configure);
        var ring = first.Get<EmailMonitor.Auth.SigningKeyRing>();
        Assert.Single(ring.Describe());

        clock.Advance(TimeSpan.FromHours(23));
        clock.Advance(TimeSpan.FromSeconds(10));
        await Task.Yield();
        Assert.Single(ring.Describe());

        var other = second.Get<EmailMonitor.Auth.SigningKeyRing>();
        clock.Advance(TimeSpan.FromHours(1));
        await Eventually.TrueAsync(() => ring.Describe().Count > 1 || other.Describe().Count > 1, "a rotation on one of them");

        // The next turn: both read the ring again, and find one new key in it, not two.
        clock.Advance(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => ring.Describe().Count > 1 && other.Describe().Count > 1, "both see the new key");
        Assert.Equal(2, ring.Describe().Count);
        Assert.Equal(2, other.Describe().Count);
        Assert.Equal(ring.Describe()[^1].Kid, other.Describe()[^1].Kid);
    }

    private static async Task<string> SignInAsync(ServiceHost service, string? password = null)
    {
        using var http = new HttpClient { BaseAddress = service.BaseUri };
        using var response = await http.PostAsJsonAsync("/api/auth/login", new { username = ServiceHost.AdminUsername, password = password ?? service.AdminPassword }, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("access_token").GetString()!;
    }

    private static string Kid(string token) => new JsonWebToken(token).Kid;

    private static async Task<IReadOnlyList<string>> SecurityLogAsync(ServiceHost service)
    {
        var lines = new List<string>();
        foreach (var file in Directory.GetFiles(service.LogDirectory, "security.log*"))
        {
            lines.AddRange(await File.ReadAllLinesAsync(file, TestContext.Current.CancellationToken));
        }

        return lines;
    }
}
