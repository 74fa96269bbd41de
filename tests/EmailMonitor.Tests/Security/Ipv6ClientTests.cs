using System.Net;
using EmailMonitor.Security;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Security;

/// <summary>An IPv6 client is its /64: budgets, blocks and caps cannot be dodged by changing address.</summary>
public sealed class Ipv6ClientTests
{
    [Theory]
    [InlineData("198.51.100.7", "198.51.100.7")]
    [InlineData("::ffff:198.51.100.7", "198.51.100.7")]
    [InlineData("::1", "::1")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::")]
    public void A_client_is_its_ipv4_address_or_its_ipv6_64(string address, string expected)
    {
        Assert.Equal(IPAddress.Parse(expected), NetworkRules.ClientKey(IPAddress.Parse(address)));
    }

    [Fact]
    public async Task Addresses_of_one_ipv6_64_share_a_budget_and_another_64_has_its_own()
    {
        await using var service = await StartBehindProxyAsync(v => v["RATE_LIMIT_REQUESTS"] = "3");

        foreach (var address in new[] { "2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2::3" })
        {
            Assert.Equal(HttpStatusCode.OK, await GetAsAsync(service, address));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsAsync(service, "2001:db8:1:2:ffff::4"));
        Assert.Equal(HttpStatusCode.OK, await GetAsAsync(service, "2001:db8:1:3::1"));
    }

    [Fact]
    public async Task An_automatic_block_covers_the_64_is_listed_as_such_and_is_lifted_by_any_address_in_it()
    {
        await using var service = await StartBehindProxyAsync(v =>
        {
            v["RATE_LIMIT_REQUESTS"] = "5";
            v["AUTO_BLOCK_THRESHOLD"] = "3";
        });
        // Five requests are allowed, then three refusals, each from another address of the /64, block it.
        for (var host = 1; host <= 8; host++)
        {
            await GetAsAsync(service, $"2001:db8:9:9::{host}");
        }

        Assert.Equal(HttpStatusCode.Forbidden, await GetAsAsync(service, "2001:db8:9:9::abcd"));
        Assert.Equal(HttpStatusCode.OK, await GetAsAsync(service, "2001:db8:9:a::1"));
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        var listed = await admin.GetJsonAsync("/api/admin/blocked-ips");
        Assert.Contains(listed.EnumerateArray(), block => block.GetProperty("ip").GetString() == "2001:db8:9:9::/64");

        using var lifted = await admin.SendAsync(HttpMethod.Delete, "/api/admin/blocked-ips/2001:db8:9:9::77");

        Assert.Equal(HttpStatusCode.NoContent, lifted.StatusCode);
        Assert.Empty((await admin.GetJsonAsync("/api/admin/blocked-ips")).EnumerateArray());
    }

    private static Task<ServiceHost> StartBehindProxyAsync(Action<Dictionary<string, string>> variables) =>
        ServiceHost.StartAsync(variables: v =>
        {
            v["TRUSTED_PROXIES"] = "127.0.0.80";
            variables(v);
        });

    // The proxy on 127.0.0.80 says which IPv6 client it is forwarding.
    private static async Task<HttpStatusCode> GetAsAsync(ServiceHost service, string clientAddress)
    {
        using var http = FromAddress.Http(service, "127.0.0.80");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Add("X-Forwarded-For", clientAddress);
        return (await http.SendAsync(request, TestContext.Current.CancellationToken)).StatusCode;
    }
}
