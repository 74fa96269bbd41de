using System.Net.WebSockets;
using EmailMonitor.Realtime;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EmailMonitor.Tests.Realtime;

/// <summary>
/// Frames that wait in a connection's queue together leave in one write to the transport, and
/// the connections the service accepts are made that way.
/// </summary>
public sealed class SendCoalescingTests
{
    private const int Payload = 10;

    // A server's text frame of 10 bytes: FIN and opcode, the length, the payload.
    private const int FrameBytes = 2 + Payload;

    [Fact]
    public async Task Frames_queued_together_reach_the_transport_in_one_write_and_a_close_after_them()
    {
        await using var service = await ServiceHost.StartAsync();
        using var recording = new RecordingStream();
        var sends = new CoalescingStream(recording);
        await using var client = Start(service, sends, sends, frames: 5);

        await Eventually.TrueAsync(() => recording.Writes.Count > 0, "the frames were written");
        var write = Assert.Single(recording.Writes);
        Assert.Equal(5 * FrameBytes, write.Length);
        for (var frame = 0; frame < 5; frame++)
        {
            Assert.Equal(0x81, write[frame * FrameBytes]);
            Assert.Equal(Payload, write[(frame * FrameBytes) + 1]);
        }

        client.Connection.Close(WebSocketCloseStatus.NormalClosure, "done");
        await Eventually.TrueAsync(() => recording.Writes.Count == 2, "the close frame was written");
        Assert.Equal(0x88, recording.Writes[1][0]);
    }

    [Fact]
    public async Task A_replay_is_not_held_back_with_the_frames_around_it()
    {
        await using var service = await ServiceHost.StartAsync();
        using var recording = new RecordingStream();
        var sends = new CoalescingStream(recording);
        var socket = WebSocket.CreateFromStream(sends, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        var connection = ActivatorUtilities.CreateInstance<ClientConnection>(service.App.Services, socket, System.Net.IPAddress.Loopback, sends);
        connection.Send(new byte[Payload]);
        connection.Send(new byte[Payload]);
        // Waits on the store; not signed in, it replays nothing and says so.
        connection.RequestReplay(0);
        connection.Send(new byte[Payload]);
        await using var client = Run(connection, socket);

        await Eventually.TrueAsync(() => recording.Writes.Count == 3, () => $"three writes, not {recording.Writes.Count}");
        Assert.Equal(2 * FrameBytes, recording.Writes[0].Length);
        Assert.Contains("resume_complete", System.Text.Encoding.UTF8.GetString(recording.Writes[1]), StringComparison.Ordinal);
        Assert.Equal(FrameBytes, recording.Writes[2].Length);
    }

    [Fact]
    public async Task A_close_after_the_clients_close_is_written_before_the_socket_lets_go_of_its_stream()
    {
        await using var service = await ServiceHost.StartAsync();
        // The client's close frame: FIN and opcode 8, masked, no payload, then the mask.
        using var recording = new RecordingStream(incoming: [0x88, 0x80, 1, 2, 3, 4]);
        var sends = new CoalescingStream(recording);
        await using var client = Start(service, sends, sends, frames: 0);

        // Once both closes have passed, the socket disposes its stream; nothing may still be held then.
        await client.Running.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var write = Assert.Single(recording.Writes);
        Assert.Equal(0x88, write[0]);
    }

    [Fact]
    public async Task Without_the_coalescing_stream_each_frame_is_a_write_of_its_own()
    {
        await using var service = await ServiceHost.StartAsync();
        using var recording = new RecordingStream();
        await using var client = Start(service, recording, sends: null, frames: 5);

        await Eventually.TrueAsync(() => recording.Writes.Count == 5, "the five frames were written");
        Assert.All(recording.Writes, write => Assert.Equal(FrameBytes, write.Length));
    }

    [Fact]
    public async Task The_service_accepts_its_websocket_connections_with_coalesced_sends()
    {
        await using var service = await ServiceHost.StartAsync();
        using var client = await RawWebSocket.ConnectAsync(service, "127.0.0.62");

        var registry = service.App.Services.GetRequiredService<ConnectionRegistry>();
        await Eventually.TrueAsync(() => registry.Count == 1, "the connection is registered");
        Assert.True(Assert.Single(registry.Snapshot()).CoalescesSends);
    }

    [Fact]
    public async Task A_client_that_closes_gets_the_servers_close_frame_back()
    {
        await using var service = await ServiceHost.StartAsync();
        using var client = new ClientWebSocket();
        await client.ConnectAsync(service.WebSocketUri, TestContext.Current.CancellationToken);

        // The server answers once it has both closes, and its socket then lets go of the stream:
        // a close frame still held back at that point would never leave.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);

        Assert.Equal(WebSocketState.Closed, client.State);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
    }

    /// <summary>A connection over <paramref name="stream"/> with <paramref name="frames"/> queued before it runs.</summary>
    private static RunningClient Start(ServiceHost service, Stream stream, CoalescingStream? sends, int frames)
    {
        var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        var connection = sends is null
            ? ActivatorUtilities.CreateInstance<ClientConnection>(service.App.Services, socket, System.Net.IPAddress.Loopback)
            : ActivatorUtilities.CreateInstance<ClientConnection>(service.App.Services, socket, System.Net.IPAddress.Loopback, sends);
        for (var frame = 0; frame < frames; frame++)
        {
            connection.Send(new byte[Payload]);
        }

        return Run(connection, socket);
    }

    private static RunningClient Run(ClientConnection connection, WebSocket socket)
    {
        var stop = new CancellationTokenSource();
        return new RunningClient(connection, socket, connection.RunAsync(stop.Token), stop);
    }

    private sealed record RunningClient(ClientConnection Connection, WebSocket Socket, Task Running, CancellationTokenSource Stop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Stop.CancelAsync();
            Socket.Abort();
            await Running.WaitAsync(TimeSpan.FromSeconds(30));
            await Connection.DisposeAsync();
            Socket.Dispose();
            Stop.Dispose();
        }
    }
}
