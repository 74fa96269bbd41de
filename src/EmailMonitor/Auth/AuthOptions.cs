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

    /// <summary>How long a signing key signs before a new one takes over; zero rotates only on an administrator's call.</summary>
    public TimeSpan SigningKeyRotation { get; set; }

    /// <summary>How often an instance reads the ring again, to sign with a key another instance made.</summary>
    public TimeSpan SigningKeyReload { get; set; } = TimeSpan.FromSeconds(30);

    public string AdminUsername { get; set; } = string.Empty;

    public string AdminPassword { get; set; } = string.Empty;

    public int MaxLoginAttempts { get; set; }

    public TimeSpan LockoutDuration { get; set; }
}
