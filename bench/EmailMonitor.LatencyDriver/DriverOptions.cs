using System.Globalization;

namespace EmailMonitor.LatencyDriver;

internal sealed record DriverOptions(
    int Messages, int Warmup, TimeSpan Gap, int Backlog, bool Flood, string? Recovery, int Trials, TimeSpan Outage, string RepositoryRoot,
    int Mailboxes = 0, int Folders = 3, TimeSpan IdleWindow = default, bool Cluster = false, string Mix = "plain", string Deliver = "append", int Clients = 0, bool Load = false, int Rate = 100, int Seconds = 60, int SettleSeconds = 10, bool LoginFlood = false,
    bool Soak = false, int DwellSeconds = 30, int SampleSeconds = 10)
{
    public static DriverOptions Parse(string[] args)
    {
        int Value(string name, int fallback)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
        }

        var recoveryIndex = Array.IndexOf(args, "--recovery");
        var recovery = recoveryIndex >= 0 && recoveryIndex + 1 < args.Length ? args[recoveryIndex + 1] : null;
        if (recovery is not (null or "outage" or "kick"))
        {
            throw new ArgumentException("--recovery takes 'outage' or 'kick'");
        }

        var mixIndex = Array.IndexOf(args, "--mix");
        var mix = mixIndex >= 0 && mixIndex + 1 < args.Length ? args[mixIndex + 1] : "plain";
        if (mix is not ("plain" or "demo"))
        {
            throw new ArgumentException("--mix takes 'plain' (short text messages) or 'demo' (scripts/demo's samples in turn: HTML, attachments, flags)");
        }

        var deliverIndex = Array.IndexOf(args, "--deliver");
        var deliver = deliverIndex >= 0 && deliverIndex + 1 < args.Length ? args[deliverIndex + 1] : "append";
        if (deliver is not ("append" or "maildir"))
        {
            throw new ArgumentException("--deliver takes 'append' (IMAP APPEND) or 'maildir' (a file renamed into Maildir/new, as local delivery does)");
        }

        var soak = args.Contains("--soak");
        return new DriverOptions(
            Value("--messages", 200),
            Value("--warmup", 20),
            TimeSpan.FromMilliseconds(Value("--gap-ms", 50)),
            Value("--backlog", 0),
            args.Contains("--flood") || args.Contains("--flood-logins"),
            recovery,
            Value("--trials", 10),
            TimeSpan.FromSeconds(Value("--outage-seconds", 20)),
            FindRoot(),
            Value("--mailboxes", 0),
            Value("--folders", 3),
            TimeSpan.FromSeconds(Value("--idle-seconds", 30)),
            args.Contains("--cluster"),
            mix,
            deliver,
            Value("--fanout", Value("--clients", args.Contains("--load") ? 1000 : soak ? 500 : 0)),
            args.Contains("--load"),
            Value("--rate", soak ? 10 : 100),
            Value("--seconds", soak ? 1800 : 60),
            Value("--settle-seconds", 10),
            args.Contains("--flood-logins"),
            soak,
            Value("--dwell-seconds", 30),
            Value("--sample-seconds", 10));
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
