namespace EmailMonitor.Auth;

internal sealed record RefreshOutcome(RefreshStatus Status, string? Username = null, string? SessionId = null, string? NewToken = null);
