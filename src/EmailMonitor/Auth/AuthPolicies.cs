namespace EmailMonitor.Auth;

/// <summary>Authorization policies of the REST API (CONTRACT §5): viewers see events and stats, admins everything.</summary>
internal static class AuthPolicies
{
    public const string Viewer = "viewer";
    public const string Admin = "admin";
}
