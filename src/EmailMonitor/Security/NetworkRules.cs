using System.Net;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Security;

/// <summary>The configured networks, parsed once (the configuration layer already checked and normalised them).</summary>
internal sealed class NetworkRules(IOptions<SecurityOptions> options)
{
    public IReadOnlyList<IPNetwork> Allowed { get; } = Parse(options.Value.AllowedIps);

    public IReadOnlyList<IPNetwork> Blocked { get; } = Parse(options.Value.BlockedIps);

    public IReadOnlyList<IPNetwork> TrustedProxies { get; } = Parse(options.Value.TrustedProxies);

    public bool IsListedAsBlocked(IPAddress address) => Blocked.Any(network => network.Contains(Normalize(address)));

    public bool IsAllowed(IPAddress address) => Allowed.Count == 0 || Allowed.Any(network => network.Contains(Normalize(address)));

    // An IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d; the lists are written in IPv4.
    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static IPNetwork[] Parse(string[] networks) => [.. networks.Select(network => IPNetwork.Parse(network))];
}
