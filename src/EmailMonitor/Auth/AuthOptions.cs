namespace EmailMonitor.Auth;

internal sealed class AuthOptions
{
    public const string Section = "Auth";
    public const string Issuer = "email-monitor";
    public const string Audience = "email-monitor";

    /// <summary>Tokens are checked against the server's own clock; this is all the drift allowed.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(5);

    public string JwtSecretKey { get; set; } = string.Empty;

    public TimeSpan AccessTokenLifetime { get; set; }

    public TimeSpan RefreshTokenLifetime { get; set; }

    public string AdminUsername { get; set; } = string.Empty;

    public string AdminPassword { get; set; } = string.Empty;

    public int MaxLoginAttempts { get; set; }

    public TimeSpan LockoutDuration { get; set; }
}
