namespace EmailMonitor.Auth;

internal enum AccessTokenStatus
{
    Valid,
    Expired,
    Invalid,
}
