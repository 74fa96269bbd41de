using System.Net.WebSockets;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Realtime;

/// <summary>
/// A text frame that is not UTF-8. The socket (the framework's) answers it with a 1007 close frame
/// and then aborts the connection; the close frame reaches the client before the connection goes
/// unless the machine is starved, so this runs alone, after the tests that run side by side.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class InvalidUtf8Tests
{
    [Fact]
    public async Task A_text_frame_that_is_not_utf8_closes_with_1007_as_rfc_6455_requires()
    {
        await using var service = await ServiceHost.StartAsync();
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);

        await client.SendBytesAsync([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D], WebSocketMessageType.Text);

        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await client.WaitForCloseAsync());
    }
}
