using System.Globalization;

namespace EmailMonitor.LatencyDriver;

internal sealed record DriverOptions(int Messages, int Warmup, TimeSpan Gap, int Backlog, bool Flood, string RepositoryRoot)
{
    public static DriverOptions Parse(string[] args)
    {
        int Value(string name, int fallback)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
        }

        return new DriverOptions(
            Value("--messages", 200), Value("--warmup", 20), TimeSpan.FromMilliseconds(Value("--gap-ms", 50)), Value("--backlog", 0), args.Contains("--flood"), FindRoot());
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "scripts", "dovecot")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Run the driver from inside the repository (scripts/dovecot not found).");
    }
}
