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

    [Fact]
    public async Task Mail_one_message_at_a_time_reaches_the_client_and_the_floor_session()
    {
        // The driver throws if any message does not reach both the floor session and the client.
        var report = await RunDriverAsync("--messages", "5", "--warmup", "1", "--gap-ms", "200");

        Assert.Contains("5 messages measured (1 warm-up messages not counted), 200 ms apart", report, StringComparison.Ordinal);
        Assert.Matches(@"\| end to end minus floor, per message \(our work\) \| -?[\d.]+ \|", report);
    }

    [Fact]
    public async Task A_backlog_reaches_the_client_in_full_and_the_floor_fetches_all_of_it()
    {
        // The driver waits for every message's event id and throws if the floor fetched fewer.
        var report = await RunDriverAsync("--backlog", "200");

        Assert.Matches(@"(?m)^200 backlog messages: [\d.]+ s from monitor start to the last new_email at the client", report);
        Assert.Contains("floor: a plain MailKit client fetched and parsed them in", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_login_flood_is_refused_while_another_client_keeps_its_connection()
    {
        // The driver throws if the monitor closes the quiet client during the flood.
        var report = await RunDriverAsync("--flood-logins", "--messages", "10", "--warmup", "2", "--gap-ms", "100");

        var flood = FloodLine().Match(report);
        Assert.True(flood.Success, report);
        Assert.Matches(@"\b(401|403|429): \d+", flood.Groups["statuses"].Value);
        Assert.DoesNotContain("200:", flood.Groups["statuses"].Value, StringComparison.Ordinal);
        Assert.Matches(@"\| during the flood \| [\d.]+ \|", report);
    }

    private async Task<string> RunDriverAsync(params string[] arguments)
    {
        var (exitCode, report) = await Exec.RunAsync("dotnet", [Driver, .. arguments], timeout: TimeSpan.FromMinutes(4));
        output.WriteLine(report);
        Assert.True(exitCode == 0, string.Create(CultureInfo.InvariantCulture, $"the driver exited {exitCode}"));
        return report;
    }

    [GeneratedRegex(@"^failed logins from 64 addresses: \d+ requests/s answered \((?<statuses>[^)]*)\); monitor CPU while timing \d+ % of one core", RegexOptions.Multiline)]
    private static partial Regex FloodLine();

    [GeneratedRegex(@"client that stayed: (?<missing>\d+) missing, (?<doubled>\d+) doubled; churning clients: (?<signins>\d+) sign-ins, \d+ frames, (?<refused>\d+) refused or failed")]
    private static partial Regex SoakLine();

    [GeneratedRegex(@"driver's client: (?<driver>\d+ missing, \d+ doubled); crowd: (?<complete>\d+) of (?<clients>\d+) clients got every email once, (?<missing>\d+) frames missing, (?<doubled>\d+) doubled")]
    private static partial Regex CrowdLine();

    [GeneratedRegex(@"^\| (monitor, from the start of APPEND|bare server, from the broadcast request) \|.* \| (?<missed>\d+) \|\r?$", RegexOptions.Multiline)]
    private static partial Regex FanOutRow();

    [GeneratedRegex(@"\| monitor \(clients signed in with token_auth\) \| [\d.]+ MiB \| [\d.]+ MiB \| -?[\d.]+ KiB \|")]
    private static partial Regex PerConnectionRow();
}
