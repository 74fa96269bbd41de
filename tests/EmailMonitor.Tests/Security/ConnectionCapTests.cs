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

        var securityLog = File.ReadAllText(Path.Combine(service.LogDirectory, "security.log"));
        Assert.Contains("\"event\":\"connection_refused\"", securityLog);
        Assert.Contains("127.0.0.70", securityLog);
    }

    // Connected and answering, so the server has admitted it.
    private static async Task<WsClient> ConnectedAsync(ServiceHost service, string address)
    {
        var client = await FromAddress.WebSocketAsync(service, address);
        await client.SendAsync(new { type = "ping" });
        await client.ReceiveAsync("pong");
        return client;
    }
}
