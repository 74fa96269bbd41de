using System.Net.WebSockets;
using EmailMonitor.Realtime;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EmailMonitor.Tests.Security;

/// <summary>MAX_CONNECTIONS_PER_IP from distinct source addresses: one address's cap is not another's.</summary>
public sealed class ConnectionCapTests
{
    [Fact]
    public async Task One_address_over_its_cap_is_closed_with_1013_while_another_address_connects_and_a_freed_slot_is_reused()
    {
        await using var service = await ServiceHost.StartAsync(variables: v =>
        {
            v["MAX_CONNECTIONS"] = "10";
            v["MAX_CONNECTIONS_PER_IP"] = "2";
        });
        await using var first = await ConnectedAsync(service, "127.0.0.70");
        await using var second = await ConnectedAsync(service, "127.0.0.70");

        await using var third = await FromAddress.WebSocketAsync(service, "127.0.0.70");
        Assert.Equal((WebSocketCloseStatus)1013, await third.WaitForCloseAsync());
        await using var elsewhere = await ConnectedAsync(service, "127.0.0.71");

        await first.DisposeAsync();
        var registry = service.App.Services.GetRequiredService<ConnectionRegistry>();
        await Eventually.TrueAsync(() => registry.Count == 2, "the closed connection freed its slot");
        await using var again = await ConnectedAsync(service, "127.0.0.70");

        // The refusal names the address it refused (its sign-ins name it too, so look at the refusal itself).
        var refusals = File.ReadAllLines(Path.Combine(service.LogDirectory, "security.log"))
            .Where(line => line.Contains("\"event\":\"connection_refused\"", StringComparison.Ordinal));
        Assert.Contains(refusals, line => line.Contains("\"ip\":\"127.0.0.70\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sockets_that_never_authenticate_give_way_so_a_real_user_from_another_address_gets_in()
    {
        await using var service = await ServiceHost.StartAsync(variables: v =>
        {
            v["MAX_CONNECTIONS"] = "10";
            v["MAX_CONNECTIONS_PER_IP"] = "10";
        });
        // Three addresses keep re-opening idle upgrades, more than the service has slots.
        var idle = new List<WsClient>();
        for (var i = 0; i < 15; i++)
        {
            idle.Add(await OpenAsync(service, $"127.0.0.{80 + (i % 3)}"));
        }

        await using var user = await ConnectedAsync(service, "127.0.0.90");
        await user.SendAsync(new { type = "ping" });
        await user.ReceiveAsync("pong");

        var registry = service.App.Services.GetRequiredService<ConnectionRegistry>();
        Assert.InRange(registry.Count, 1, 10);
        Assert.Contains(registry.Snapshot(), c => c.User is not null);
        // The oldest idle sockets were the ones to go, each told to try again later.
        Assert.Equal((WebSocketCloseStatus)1013, await idle[0].WaitForCloseAsync());
        foreach (var client in idle)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task One_address_holds_only_a_few_sockets_that_have_not_authenticated()
    {
        await using var service = await ServiceHost.StartAsync();
        var idle = new List<WsClient>();
        for (var i = 0; i < ConnectionRegistry.MaxUnauthenticatedPerAddress + 2; i++)
        {
            idle.Add(await OpenAsync(service, "127.0.0.85"));
        }

        Assert.Equal((WebSocketCloseStatus)1013, await idle[0].WaitForCloseAsync());
        Assert.Equal((WebSocketCloseStatus)1013, await idle[1].WaitForCloseAsync());
        var registry = service.App.Services.GetRequiredService<ConnectionRegistry>();
        Assert.Equal(ConnectionRegistry.MaxUnauthenticatedPerAddress, registry.Count);
        foreach (var client in idle)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_full_service_of_authenticated_users_turns_a_newcomer_away_and_displaces_nobody()
    {
        await using var service = await ServiceHost.StartAsync(variables: v =>
        {
            v["MAX_CONNECTIONS"] = "2";
            v["MAX_CONNECTIONS_PER_IP"] = "2";
        });
        await using var first = await ConnectedAsync(service, "127.0.0.86");
        await using var second = await ConnectedAsync(service, "127.0.0.87");

        await using var third = await FromAddress.WebSocketAsync(service, "127.0.0.88");

        Assert.Equal((WebSocketCloseStatus)1013, await third.WaitForCloseAsync());
        await first.SendAsync(new { type = "ping" });
        await first.ReceiveAsync("pong");
    }

    // Signed in, so the server has admitted it and it holds its slot.
    private static async Task<WsClient> ConnectedAsync(ServiceHost service, string address)
    {
        var client = await FromAddress.WebSocketAsync(service, address);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        return client;
    }

    // Open and answering, but never authenticating.
    private static async Task<WsClient> OpenAsync(ServiceHost service, string address)
    {
        var client = await FromAddress.WebSocketAsync(service, address);
        await client.SendAsync(new { type = "ping" });
        await client.ReceiveAsync("pong");
        return client;
    }
}
