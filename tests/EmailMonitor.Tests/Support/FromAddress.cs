using System.Net;
using System.Net.Sockets;

namespace EmailMonitor.Tests.Support;

/// <summary>
/// Clients that connect from a chosen loopback address (127.0.0.x), so the service sees distinct
/// client addresses on one machine: Linux routes the whole of 127.0.0.0/8 to the loopback device.
/// </summary>
internal static class FromAddress
{
    public static HttpClient Http(ServiceHost service, string localAddress) =>
        new(Handler(localAddress)) { BaseAddress = service.BaseUri };

    public static HttpClient Http(Uri baseUri, string localAddress) =>
        new(Handler(localAddress)) { BaseAddress = baseUri };

    public static Task<WsClient> WebSocketAsync(
        ServiceHost service, string localAddress, Action<System.Net.WebSockets.ClientWebSocketOptions>? configure = null, bool read = true) =>
        WebSocketAsync(service.WebSocketUri, localAddress, configure, read);

    public static Task<WsClient> WebSocketAsync(
        Uri webSocketUri, string localAddress, Action<System.Net.WebSockets.ClientWebSocketOptions>? configure = null, bool read = true) =>
        WsClient.ConnectAsync(webSocketUri, read, configure, new HttpMessageInvoker(Handler(localAddress)));

    public static SocketsHttpHandler Handler(string localAddress) => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
