using System.Globalization;

namespace EmailMonitor.Storage;

/// <summary>How instants are written to the database: ISO 8601 in UTC, which also sorts as text.</summary>
internal static class StoredTime
{
    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
