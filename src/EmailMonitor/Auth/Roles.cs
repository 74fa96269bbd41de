namespace EmailMonitor.Auth;

internal static class Roles
{
    public const string Admin = "admin";
    public const string Viewer = "viewer";

    public static bool IsKnown(string? role) => role is Admin or Viewer;
}
