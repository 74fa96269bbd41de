using System.Net.WebSockets;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Realtime;

/// <summary>
/// A text frame that is not UTF-8. The socket (the framework's) queues a 1007 close frame and gives
/// the connection up; the server then waits for the client to hang up, so the frame is not lost to
/// a reset. Ending the request at once lost it on about one connection in thirty here, so the test
/// tries twenty connections in a row.
/// </summary>
public sealed class InvalidUtf8Tests
{
    [Fact]
    public async Task A_text_frame_that_is_not_utf8_closes_with_1007_as_rfc_6455_requires()
    {
        await using var service = await ServiceHost.StartAsync();
        for (var attempt = 0; attempt < 20; attempt++)
        {
            await using var client = await WsClient.ConnectAsync(service.WebSocketUri);

            await client.SendBytesAsync([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D], WebSocketMessageType.Text);

            Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await client.WaitForCloseAsync());
        }
    }
}
