using System.Globalization;

namespace EmailMonitor.LatencyDriver;

/// <summary>A process's resident memory, threads and CPU time, read from /proc.</summary>
internal sealed record ProcessSample(long ResidentKilobytes, int Threads, TimeSpan CpuTime)
{
    // USER_HZ: the unit of utime and stime in /proc/PID/stat on Linux.
    private const double TicksPerSecond = 100;

    public static ProcessSample Read(int processId)
    {
        var status = File.ReadAllLines($"/proc/{processId}/status");
        long Field(string name) => long.Parse(
            status.First(line => line.StartsWith(name, StringComparison.Ordinal)).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1],
            CultureInfo.InvariantCulture);

        // The command name may hold spaces; the fields after it are counted from its closing parenthesis.
        var stat = File.ReadAllText($"/proc/{processId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return new ProcessSample(Field("VmRSS:"), (int)Field("Threads:"), TimeSpan.FromSeconds(ticks / TicksPerSecond));
    }

    /// <summary>Share of one core the process used over <paramref name="window"/>, sampled at its start and end.</summary>
    public static async Task<(ProcessSample End, double CpuPercent)> IdleAsync(int processId, TimeSpan window)
    {
        var start = Read(processId);
        await Task.Delay(window);
        var end = Read(processId);
        return (end, (end.CpuTime - start.CpuTime) / window * 100);
    }
}
