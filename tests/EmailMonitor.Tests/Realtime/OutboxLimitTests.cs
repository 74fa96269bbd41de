using System.Net.WebSockets;
using EmailMonitor.Realtime;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EmailMonitor.Tests.Realtime;

/// <summary>
/// A client that stops reading is cut off once its queue holds more frames or more bytes than the
/// limits allow, and not before. The client here never takes a byte: the first frame's send
/// hangs, so everything after it waits in the queue.
/// </summary>
public sealed class OutboxLimitTests
{
    [Fact]
    public async Task A_client_is_cut_off_when_more_frames_wait_than_the_limit_and_not_before()
    {
        await using var service = await ServiceHost.StartAsync(configure: builder => builder.Configuration["Realtime:MaxQueuedFrames"] = "8");
        await using var stalled = Stalled(service, out var socket);
        var frame = new byte[16];

        // At most 8 wait, whether or not the sender has taken the first one yet.
        for (var i = 0; i < 8; i++)
        {
            stalled.Connection.Send(frame);
        }

        Assert.Equal(WebSocketState.Open, socket.State);

        stalled.Connection.Send(frame);
        stalled.Connection.Send(frame);
        Assert.Equal(WebSocketState.Aborted, socket.State);
    }

    [Fact]
    public async Task A_client_is_cut_off_when_more_bytes_wait_than_the_limit_and_not_before()
    {
        await using var service = await ServiceHost.StartAsync(configure: builder => builder.Configuration["Realtime:MaxQueuedBytes"] = "10000");
        await using var stalled = Stalled(service, out var socket);
        var frame = new byte[4_000];

        stalled.Connection.Send(frame);
        stalled.Connection.Send(frame);
        Assert.Equal(WebSocketState.Open, socket.State);

        stalled.Connection.Send(frame);
        stalled.Connection.Send(frame);
        Assert.Equal(WebSocketState.Aborted, socket.State);
    }

    [Fact]
    public async Task A_client_whose_sends_are_coalesced_is_cut_off_too_at_most_the_held_bytes_later()
    {
        await using var service = await ServiceHost.StartAsync(configure: builder => builder.Configuration["Realtime:MaxQueuedBytes"] = "10000");
        await using var stalled = Stalled(service, out var socket, coalesced: true);
        var frame = new byte[4_000];

        // Two always fit in the queue. After that it depends on how far the sender got: at most
        // four frames held (16,016 bytes with their headers), one being written, then the queue.
        var sent = 0;
        while (socket.State == WebSocketState.Open && sent < 20)
        {
            stalled.Connection.Send(frame);
            sent++;
        }

        Assert.Equal(WebSocketState.Aborted, socket.State);
        Assert.InRange(sent, 3, 4 + 1 + 3);
    }

    private static StalledClient Stalled(ServiceHost service, out WebSocket socket, bool coalesced = false)
    {
        // A peer that neither sends nor takes anything until the socket gives it up.
        Stream stream = coalesced ? new CoalescingStream(new RecordingStream(stalled: true)) : new RecordingStream(stalled: true);
        socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        var connection = stream is CoalescingStream sends
            ? ActivatorUtilities.CreateInstance<ClientConnection>(service.App.Services, socket, System.Net.IPAddress.Loopback, sends)
            : ActivatorUtilities.CreateInstance<ClientConnection>(service.App.Services, socket, System.Net.IPAddress.Loopback);
        var stop = new CancellationTokenSource();
        return new StalledClient(connection, connection.RunAsync(stop.Token), stop);
    }

    private sealed record StalledClient(ClientConnection Connection, Task Running, CancellationTokenSource Stop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Stop.CancelAsync();
            await Running.WaitAsync(TimeSpan.FromSeconds(30));
            await Connection.DisposeAsync();
            Stop.Dispose();
        }
    }
}
