namespace EmailMonitor.Auth;

/// <summary>Whether a login attempt may have its password checked, and if not, why.</summary>
internal enum LoginVerdict
{
    Allowed,

    /// <summary>This address failed too often for this name: locked out of it for LOCKOUT_DURATION.</summary>
    Locked,

    /// <summary>The name is under attack from many addresses: attempts are spaced out for now.</summary>
    SlowedDown,
}
