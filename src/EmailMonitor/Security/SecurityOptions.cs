namespace EmailMonitor.Security;

/// <summary>The perimeter of CONTRACT §3: rate limits, IP lists, automatic blocking, proxies and origins.</summary>
internal sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>HTTP requests and WebSocket messages one IP may send per <see cref="RateLimitWindow"/>.</summary>
    public int RateLimitRequests { get; set; }

    public TimeSpan RateLimitWindow { get; set; }

    /// <summary>
    /// Login attempts (WebSocket and REST) one IP may make per minute. Stricter than the general
    /// limit, because each attempt costs a deliberately slow password hash.
    /// </summary>
    public int LoginAttemptsPerMinute { get; set; } = 10;

    /// <summary>Networks allowed to connect, in CIDR form; empty means everyone.</summary>
    public string[] AllowedIps { get; set; } = [];

    /// <summary>Networks always refused, in CIDR form.</summary>
    public string[] BlockedIps { get; set; } = [];

    public int AutoBlockThreshold { get; set; }

    public TimeSpan AutoBlockDuration { get; set; }

    public TimeSpan AutoBlockWindow { get; set; }

    /// <summary>Proxies whose X-Forwarded-For is believed, in CIDR form.</summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>
    /// Trusted proxies in a row in front of the service: X-Forwarded-For is read this many entries
    /// from the right and no further, so a client inside a trusted network cannot prepend an
    /// address of its choosing.
    /// </summary>
    public int TrustedProxyHops { get; set; } = 1;

    /// <summary>Browser origins allowed to open the WebSocket; empty means the service's own origin only.</summary>
    public string[] AllowedOrigins { get; set; } = [];
}
