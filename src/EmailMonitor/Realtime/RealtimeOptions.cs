namespace EmailMonitor.Realtime;

internal sealed class RealtimeOptions
{
    public const string Section = "Realtime";

    /// <summary>Inbound frames larger than this close the connection with 1009 (CONTRACT §4).</summary>
    public const int MaxFrameBytes = 64 * 1024;

    public int MaxConnections { get; set; }

    public int MaxConnectionsPerIp { get; set; }

    /// <summary>A connection that has not authenticated by then is closed with 1008.</summary>
    public TimeSpan AuthenticationDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Bytes waiting to be sent to one client; a client that lets more pile up is too slow and is disconnected.</summary>
    public long MaxQueuedBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Frames waiting to be sent to one client, the other bound on a slow client.</summary>
    public int MaxQueuedFrames { get; set; } = 4096;

    /// <summary>How long the client gets to answer the server's close frame before the socket is aborted.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the server pings each client.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A client that has not answered a ping by then is gone (a dropped network, a sleeping laptop)
    /// and its connection is aborted, so dead peers do not hold connection slots or queues.
    /// </summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(20);
}
