using System.Globalization;
using System.Text.RegularExpressions;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Bench;

/// <summary>
/// The load driver's scenarios, short, as correctness checks of the driver and of the service under
/// a crowd: every client gets every email once. No timing is asserted here; the figures live in
/// docs/benchmarks.md.
/// </summary>
public sealed partial class LoadScenarioTests(ITestOutputHelper output)
{
    private static string Driver => Path.Combine(RepositoryPaths.Root, "bench", "EmailMonitor.LatencyDriver", "bin", "Release", "net10.0", "EmailMonitor.LatencyDriver.dll");

    [Fact]
    public async Task Under_steady_mail_every_client_of_a_crowd_gets_every_email_once()
    {
        var report = await RunDriverAsync("--load", "--clients", "120", "--rate", "20", "--seconds", "4");

        var crowd = CrowdLine().Match(report);
        Assert.True(crowd.Success, report);
        Assert.Equal("0 missing, 0 doubled", crowd.Groups["driver"].Value);
        Assert.Equal(("120", "120", "0", "0"), (crowd.Groups["complete"].Value, crowd.Groups["clients"].Value, crowd.Groups["missing"].Value, crowd.Groups["doubled"].Value));
        Assert.Contains("80 emails appended at 20/s", report, StringComparison.Ordinal);
        Assert.Contains("bare server: driver's client 0 missing; crowd: 120 of 120 clients got every frame once, 0 missing, 0 doubled", report, StringComparison.Ordinal);
        Assert.Contains("bare server in batches: driver's client 0 missing; crowd: 120 of 120 clients got every frame once, 0 missing, 0 doubled", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_email_reaches_every_client_of_the_monitor_and_of_the_bare_server()
    {
        // 250 clients: more than one loopback address's 20, so the spreading is exercised.
        var report = await RunDriverAsync("--fanout", "250", "--trials", "2", "--settle-seconds", "1");

        var rows = FanOutRow().Matches(report);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.Equal("0", row.Groups["missed"].Value));
        Assert.Contains("250 clients", report, StringComparison.Ordinal);
        Assert.Matches(PerConnectionRow(), report);
    }

    [Fact]
    public async Task While_clients_come_and_go_the_client_that_stays_gets_every_email_once_and_none_is_refused()
    {
        var report = await RunDriverAsync("--soak", "--clients", "40", "--rate", "5", "--seconds", "20", "--dwell-seconds", "3", "--sample-seconds", "2");

        var soak = SoakLine().Match(report);
        Assert.True(soak.Success, report);
        Assert.Equal(("0", "0", "0"), (soak.Groups["missing"].Value, soak.Groups["doubled"].Value, soak.Groups["refused"].Value));
        // Each client stays 3 s on average: over 20 s, they must have come back several times.
        Assert.True(int.Parse(soak.Groups["signins"].Value, CultureInfo.InvariantCulture) > 80, report);
        Assert.Contains("100 emails at 5/s", report, StringComparison.Ordinal);
        Assert.Matches(@"open descriptors: \d+ after warm-up", report);
    }

    private async Task<string> RunDriverAsync(params string[] arguments)
    {
        var (exitCode, report) = await Exec.RunAsync("dotnet", [Driver, .. arguments], timeout: TimeSpan.FromMinutes(4));
        output.WriteLine(report);
        Assert.True(exitCode == 0, string.Create(CultureInfo.InvariantCulture, $"the driver exited {exitCode}"));
        return report;
    }

    [GeneratedRegex(@"client that stayed: (?<missing>\d+) missing, (?<doubled>\d+) doubled; churning clients: (?<signins>\d+) sign-ins, \d+ frames, (?<refused>\d+) refused or failed")]
    private static partial Regex SoakLine();

    [GeneratedRegex(@"driver's client: (?<driver>\d+ missing, \d+ doubled); crowd: (?<complete>\d+) of (?<clients>\d+) clients got every email once, (?<missing>\d+) frames missing, (?<doubled>\d+) doubled")]
    private static partial Regex CrowdLine();

    [GeneratedRegex(@"^\| (monitor, from the start of APPEND|bare server, from the broadcast request) \|.* \| (?<missed>\d+) \|\r?$", RegexOptions.Multiline)]
    private static partial Regex FanOutRow();

    [GeneratedRegex(@"\| monitor \(clients signed in with token_auth\) \| [\d.]+ MiB \| [\d.]+ MiB \| -?[\d.]+ KiB \|")]
    private static partial Regex PerConnectionRow();
}
