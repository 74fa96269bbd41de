using System.Globalization;

namespace EmailMonitor.Storage;

/// <summary>
/// The webhooks a rule routed an event to, as the <c>events.routes</c> column holds them: ids
/// separated by commas, null when there are none. The webhooks read them from the database, the one
/// place every instance sees them (a relayed announcement carries the events, not their routes).
/// </summary>
internal static class EventRoutes
{
    public static string? Format(IReadOnlyList<long> routes) =>
        routes.Count == 0 ? null : string.Join(',', routes.Select(id => id.ToString(CultureInfo.InvariantCulture)));

    public static long[] Parse(string routes) =>
        [.. routes.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(id => long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0)
            .Where(id => id > 0)];
}
