using Microsoft.AspNetCore.Http.Features;

namespace EmailMonitor.Realtime;

/// <summary>
/// Stands in for the server's upgrade feature on a WebSocket request, so the socket ASP.NET Core
/// makes writes through a <see cref="CoalescingStream"/> that the connection's sender controls.
/// </summary>
internal sealed class CoalescingUpgradeFeature(IHttpUpgradeFeature upgrade) : IHttpUpgradeFeature
{
    /// <summary>The upgraded connection's stream, once upgraded.</summary>
    public CoalescingStream? Stream { get; private set; }

    public bool IsUpgradableRequest => upgrade.IsUpgradableRequest;

    public async Task<Stream> UpgradeAsync() => Stream = new CoalescingStream(await upgrade.UpgradeAsync());
}
