namespace EmailMonitor.Api;

/// <summary>Body of <c>POST /api/auth/refresh</c>.</summary>
internal sealed record RefreshRequest(string? RefreshToken);
