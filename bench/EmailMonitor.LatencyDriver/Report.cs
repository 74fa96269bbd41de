using System.Globalization;

namespace EmailMonitor.LatencyDriver;

internal static class Report
{
    public static void Print(IReadOnlyList<Sample> samples, DriverOptions options, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{samples.Count} messages measured ({options.Warmup} warm-up messages not counted), {options.Gap.TotalMilliseconds} ms apart"));
        output.WriteLine();
        output.WriteLine("| from the start of APPEND (ms) | median | p90 | p99 | max |");
        output.WriteLine("|---|---|---|---|---|");
        Row(output, "Dovecot IDLE notification at a plain MailKit client (floor)", samples.Select(s => s.IdleNotificationMs));
        Row(output, "`new_email` at a WebSocket client (end to end)", samples.Select(s => s.NewEmailMs));
        Row(output, "end to end minus floor, per message (our work)", samples.Select(s => s.OverheadMs));
    }

    public static void PrintBacklog(int count, TimeSpan elapsed, long peakKilobytes, TextWriter output) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count} backlog messages: {elapsed.TotalSeconds:0.00} s from monitor start to the last new_email at the client ({count / elapsed.TotalSeconds:0} emails/s); monitor peak RSS {peakKilobytes / 1024.0:0} MiB"));

    public static void PrintFlood(FloodResult result, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"flood from 127.0.0.17: {result.FloodRequestsPerSecond:0} requests/s answered ({string.Join(", ", result.FloodStatuses.OrderBy(s => s.Key).Select(s => $"{(int)s.Key}: {s.Value}"))})"));
        output.WriteLine();
        output.WriteLine("| WebSocket ping round trip of another client (ms) | median | p90 | p99 | max |");
        output.WriteLine("|---|---|---|---|---|");
        Row(output, "before the flood", result.PingsBefore);
        Row(output, "during the flood", result.PingsDuring);
    }

    public static void PrintRecovery(RecoveryResult result, TextWriter output)
    {
        var what = result.Kind == "outage"
            ? string.Create(CultureInfo.InvariantCulture, $"after a {result.Outage.TotalSeconds:0} s outage of Dovecot, from the moment it accepts connections again")
            : "after doveadm kick of the monitor's session (up for 12 s), from the kick";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.DeliveredSeconds.Count} trials, {what}"));
        output.WriteLine();
        output.WriteLine("| seconds | median | p90 | max | every trial, sorted |");
        output.WriteLine("|---|---|---|---|---|");
        RecoveryRow(output, "APPEND done (floor: the message is in the folder)", result.AppendedSeconds);
        RecoveryRow(output, "`new_email` at a WebSocket client", result.DeliveredSeconds);
    }

    private static void RecoveryRow(TextWriter output, string label, IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {Percentile(sorted, 0.5):0.00} | {Percentile(sorted, 0.9):0.00} | {sorted[^1]:0.00} | {string.Join(", ", sorted.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)))} |"));
    }

    private static void Row(TextWriter output, string label, IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {Percentile(sorted, 0.5):0.0} | {Percentile(sorted, 0.9):0.0} | {Percentile(sorted, 0.99):0.0} | {sorted[^1]:0.0} |"));
    }

    private static double Percentile(double[] sorted, double quantile)
    {
        var index = (int)Math.Ceiling(quantile * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }
}
