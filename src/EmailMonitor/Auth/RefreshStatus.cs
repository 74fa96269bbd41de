namespace EmailMonitor.Auth;

internal enum RefreshStatus
{
    Rotated,
    Unknown,
    Expired,
    Revoked,
    Reused,
}
