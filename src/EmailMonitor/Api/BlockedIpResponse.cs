namespace EmailMonitor.Api;

/// <summary>One refused address or network: listed in configuration (no expiry) or blocked for a while.</summary>
internal sealed record BlockedIpResponse(string Ip, string Source, string Reason, DateTimeOffset? BlockedAt, DateTimeOffset? ExpiresAt);
