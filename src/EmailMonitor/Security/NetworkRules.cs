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

    /// <summary>
    /// Who a client is for budgets, blocks and connection caps: its IPv4 address, or its IPv6 /64.
    /// One IPv6 subscriber is routinely given a whole /64 and can pick any address in it, so
    /// counting single IPv6 addresses would let one client take a fresh budget per request.
    /// </summary>
    public static IPAddress ClientKey(IPAddress address)
    {
        var normalized = Normalize(address);
        if (normalized.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(normalized))
        {
            return normalized;
        }

        Span<byte> bytes = stackalloc byte[16];
        normalized.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }

    /// <summary>The network a client key stands for, as shown to administrators.</summary>
    public static string Describe(IPAddress clientKey) =>
        clientKey.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !IPAddress.IsLoopback(clientKey)
            ? $"{clientKey}/64"
            : clientKey.ToString();

    private static IPNetwork[] Parse(string[] networks) => [.. networks.Select(network => IPNetwork.Parse(network))];
}
