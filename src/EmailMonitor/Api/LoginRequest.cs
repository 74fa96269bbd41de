namespace EmailMonitor.Api;

/// <summary>Body of <c>POST /api/auth/login</c>.</summary>
internal sealed record LoginRequest(string? Username, string? Password);
