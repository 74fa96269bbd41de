namespace EmailMonitor.Auth;

internal static class UserNames
{
    public const int MaxLength = 64;
    public const string Rule = "1 to 64 letters, digits, '.', '_', '-' or '@'";

    public static bool IsValid(string? username) =>
        !string.IsNullOrEmpty(username)
        && username.Length <= MaxLength
        && username.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@');
}
