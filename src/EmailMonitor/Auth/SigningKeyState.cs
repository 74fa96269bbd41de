namespace EmailMonitor.Auth;

/// <summary>A signing key as administrators see it: its name, since when, and whether it signs, validates or is retired.</summary>
internal sealed record SigningKeyState(string Kid, DateTimeOffset? CreatedAt, string State, string Source);
