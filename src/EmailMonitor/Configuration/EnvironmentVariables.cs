using System.Collections;

namespace EmailMonitor.Configuration;

internal static class EnvironmentVariables
{
    public static IReadOnlyDictionary<string, string> Read()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            values[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
        }

        return values;
    }
}
