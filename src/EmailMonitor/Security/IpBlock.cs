using System.Net;

namespace EmailMonitor.Security;

/// <summary>An address refused until <see cref="ExpiresAt"/>, and why.</summary>
internal sealed record IpBlock(IPAddress Address, string Reason, DateTimeOffset BlockedAt, DateTimeOffset ExpiresAt);
