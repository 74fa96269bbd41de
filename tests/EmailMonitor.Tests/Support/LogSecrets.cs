namespace EmailMonitor.Tests.Support;

/// <summary>
/// Every service a test starts is checked, when it is disposed, for the secrets it was given in
/// its log files and console output: the whole test run greps its own output this way.
/// </summary>
internal static class LogSecrets
{
    private static readonly string[] SecretVariables = ["JWT_SECRET_KEY", "ADMIN_PASSWORD", "EMAIL_PASSWORD", "DATABASE_URL"];

    public static void AssertNoneIn(string logDirectory, IReadOnlyDictionary<string, string> variables)
    {
        if (!Directory.Exists(logDirectory))
        {
            return;
        }

        foreach (var file in Directory.GetFiles(logDirectory))
        {
            AssertNoneIn(File.ReadAllText(file), variables, Path.GetFileName(file));
        }
    }

    public static void AssertNoneIn(string text, IReadOnlyDictionary<string, string> variables, string where)
    {
        foreach (var name in SecretVariables)
        {
            if (variables.TryGetValue(name, out var secret) && secret.Length >= 6 && text.Contains(secret, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{where} holds the value of {name}.");
            }
        }

        if (variables.TryGetValue("DATABASE_URL", out var url) && Uri.TryCreate(url, UriKind.Absolute, out var uri)
            && uri.UserInfo.Split(':', 2) is [_, { Length: >= 6 } password] && text.Contains(Uri.UnescapeDataString(password), StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{where} holds the password of DATABASE_URL.");
        }
    }
}
