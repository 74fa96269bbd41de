namespace EmailMonitor.Auth;

internal sealed record AccessTokenCheck(AccessTokenStatus Status, AuthenticatedUser? User)
{
    public static readonly AccessTokenCheck Invalid = new(AccessTokenStatus.Invalid, null);
    public static readonly AccessTokenCheck Expired = new(AccessTokenStatus.Expired, null);
}
