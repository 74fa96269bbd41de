using EmailMonitor.Realtime;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EmailMonitor.Tests.Realtime;

public sealed class KeepAliveTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(600);

    [Fact]
    public async Task A_client_that_answers_pings_stays_connected()
    {
        await using var service = await StartAsync();
        using var client = await RawWebSocket.ConnectAsync(service, "127.0.0.60");

        for (var ping = 0; ping < 5; ping++)
        {
            var frame = await client.ReadFrameAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(RawWebSocket.Ping, frame?.Opcode);
            await client.SendFrameAsync(RawWebSocket.Pong, frame!.Value.Payload);
        }

        // Five answered pings span more than four timeouts: an unanswered one would have ended it.
        Assert.Equal(1, Registry(service).Count);
    }

    [Fact]
    public async Task A_client_that_stops_answering_pings_is_dropped_and_frees_its_slot()
    {
        await using var service = await StartAsync();
        using var silent = await RawWebSocket.ConnectAsync(service, "127.0.0.61");

        var first = await silent.ReadFrameAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(RawWebSocket.Ping, first?.Opcode);

        // Reading on without answering: only further pings may come before the connection ends.
        var end = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        (byte Opcode, byte[] Payload)? frame;
        while ((frame = await silent.ReadFrameAsync(TimeSpan.FromSeconds(10))) is not null)
        {
            Assert.Equal(RawWebSocket.Ping, frame.Value.Opcode);
            Assert.True(DateTime.UtcNow < end, "the silent client was never dropped");
        }

        await Eventually.TrueAsync(() => Registry(service).Count == 0, "the dropped connection leaves the registry");
    }

    private static ConnectionRegistry Registry(ServiceHost service) =>
        service.App.Services.GetRequiredService<ConnectionRegistry>();

    private static Task<ServiceHost> StartAsync() =>
        ServiceHost.StartAsync(configure: builder => builder.Services.PostConfigure<RealtimeOptions>(options =>
        {
            options.KeepAliveInterval = Interval;
            options.KeepAliveTimeout = Timeout;
        }));
}
