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

    public static void PrintWebhooks(WebhookFigures figures, DriverOptions options, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{figures.Samples.Count} messages measured ({options.Warmup} warm-up messages not counted), {options.Gap.TotalMilliseconds} ms apart; one webhook"));
        output.WriteLine();
        output.WriteLine("| from the start of APPEND (ms) | median | p90 | p99 | max |");
        output.WriteLine("|---|---|---|---|---|");
        Row(output, "Dovecot IDLE notification at a plain MailKit client (floor)", figures.Samples.Select(s => s.Floor));
        Row(output, "`new_email` at a WebSocket client", figures.Samples.Select(s => s.WebSocket));
        Row(output, "the delivery at a webhook receiver", figures.Samples.Select(s => s.Webhook));
        Row(output, "webhook minus WebSocket, per message", figures.Samples.Select(s => s.Webhook - s.WebSocket));
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bursts of {figures.BurstCount} dropped into the Maildir at once (s from the drop to the last arrival):"));
        output.WriteLine();
        output.WriteLine("| burst | last `new_email` at the WebSocket | last delivery at live receiver 1 | at live receiver 2 | deliveries/s per receiver |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (var (label, times) in new[] { ("two live webhooks", figures.Alive), ("two live and one dead (nothing listens)", figures.WithDead) })
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {label} | {times.ToWebSocketMs / 1000:0.00} | {times.ToFirstMs / 1000:0.00} | {times.ToSecondMs / 1000:0.00} | {figures.BurstCount / (Math.Max(times.ToFirstMs, times.ToSecondMs) / 1000):0} |"));
        }

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{figures.Duplicates} delivered twice; {figures.DeadPending} pending for the dead receiver at the end"));
    }

    public static void PrintBacklog(int count, TimeSpan elapsed, long peakKilobytes, TimeSpan floor, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count} backlog messages: {elapsed.TotalSeconds:0.00} s from monitor start to the last new_email at the client ({count / elapsed.TotalSeconds:0} emails/s); monitor peak RSS {peakKilobytes / 1024.0:0} MiB"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"floor: a plain MailKit client fetched and parsed them in {floor.TotalSeconds:0.00} s ({count / floor.TotalSeconds:0} emails/s); the monitor took {elapsed / floor:0.00}× as long"));
    }

    public static void PrintLoad(LoadReport r, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{r.Emails} emails appended at {r.Rate}/s over 4 IMAP connections (took {r.Sending.TotalSeconds:0.0} s; {r.LateAppends} started more than 10 ms late) while {r.Clients} signed-in clients were connected"));
        output.WriteLine();
        output.WriteLine("| per email (ms) | median | p90 | p99 | max |");
        output.WriteLine("|---|---|---|---|---|");
        Row(output, "APPEND → Dovecot IDLE notification at a plain MailKit client (floor)", r.Samples.Select(s => s.IdleNotificationMs));
        Row(output, "APPEND → `new_email` at the driver's WebSocket client", r.Samples.Select(s => s.NewEmailMs));
        var floor = r.Samples.Select(s => s.IdleNotificationMs).Order().ToArray();
        var email = r.Samples.Select(s => s.NewEmailMs).Order().ToArray();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| the two rows above, monitor minus floor at each percentile | {Percentile(email, 0.5) - Percentile(floor, 0.5):0.0} | {Percentile(email, 0.9) - Percentile(floor, 0.9):0.0} | {Percentile(email, 0.99) - Percentile(floor, 0.99):0.0} | {email[^1] - floor[^1]:0.0} |"));
        Row(output, "message held by the monitor (its `received_at`) → `new_email` at the client", r.HeldToClientMs);
        Row(output, "baseline: bare Kestrel server, broadcast request → the same client, same crowd and rate", r.Bare.LatencyMs);
        Row(output, "baseline: the same, each frame broadcast when the monitor held that email (Dovecot's batches)", r.BareInBatches.LatencyMs);
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"driver's client: {r.MissingAtDriver} missing, {r.DoubledAtDriver} doubled; crowd: {r.Crowd.Complete} of {r.Clients} clients got every email once, {r.Crowd.Missing} frames missing, {r.Crowd.Doubled} doubled"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bare server: driver's client {r.Bare.MissingAtDriver} missing; crowd: {r.Bare.Crowd.Complete} of {r.Clients} clients got every frame once, {r.Bare.Crowd.Missing} missing, {r.Bare.Crowd.Doubled} doubled"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bare server in batches: driver's client {r.BareInBatches.MissingAtDriver} missing; crowd: {r.BareInBatches.Crowd.Complete} of {r.Clients} clients got every frame once, {r.BareInBatches.Crowd.Missing} missing, {r.BareInBatches.Crowd.Doubled} doubled"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"monitor: {r.After.ResidentKilobytes / 1024.0:0.0} MiB resident at the end ({r.Before.ResidentKilobytes / 1024.0:0.0} MiB before the mail), {r.After.Threads} threads, CPU {(r.After.CpuTime - r.Before.CpuTime) / r.Sending * 100:0} % of one core while the mail arrived"));
    }

    public static void PrintSoak(SoakReport r, TextWriter output)
    {
        var run = r.Samples[^1].At;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{r.Emails} emails at {r.Rate}/s over {run.TotalMinutes:0.0} min while {r.Clients} clients ({r.PerAddress} to a loopback address) signed in with token_auth, stayed 0-{2 * r.Dwell.TotalSeconds:0} s and left (half closing, half dropping), again and again"));
        output.WriteLine();
        output.WriteLine("| minute | resident | open descriptors | threads | sign-ins so far |");
        output.WriteLine("|---|---|---|---|---|");
        var step = Math.Max(1, r.Samples.Count / 12);
        foreach (var sample in r.Samples.Where((_, i) => i % step == 0 || i == r.Samples.Count - 1))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {sample.At.TotalMinutes:0.0} | {sample.ResidentKilobytes / 1024.0:0.0} MiB | {sample.Descriptors} | {sample.Threads} | {sample.SignedIn} |"));
        }

        // Warm-up: the first sixth of the run. Then the median of the next sixth against the median
        // of the last, and the highest value after warm-up against the first of those.
        var warm = r.Samples.Where(s => s.At >= run / 6).ToList();
        var early = warm.Where(s => s.At < run / 3).DefaultIfEmpty(warm[0]).ToList();
        var late = warm.Where(s => s.At >= run * 5 / 6).ToList();
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted[sorted.Length / 2];
        }

        void Growth(string name, Func<SoakSample, double> value)
        {
            var start = Median(early.Select(value));
            var end = Median(late.Select(value));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {start:0.#} after warm-up, {end:0.#} at the end ({(end - start) / start * 100:+0.0;-0.0;0.0} %), highest {warm.Max(value):0.#}"));
        }

        output.WriteLine();
        Growth("resident MiB", s => s.ResidentKilobytes / 1024.0);
        Growth("open descriptors", s => s.Descriptors);
        Growth("threads", s => s.Threads);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"client that stayed: {r.Missing} missing, {r.Doubled} doubled; churning clients: {r.Counts.SignedIn} sign-ins, {r.Counts.Frames} frames, {r.Counts.Refusals.Values.Sum()} refused or failed"));
        foreach (var (why, times) in r.Counts.Refusals.OrderByDescending(p => p.Value).Take(5))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {times} × {why}"));
        }
    }

    public static void PrintFanOut(FanOutReport r, TextWriter output)
    {
        static string Mib(long kilobytes) => (kilobytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture);
        double PerConnection(ProcessSample before, ProcessSample after) => (after.ResidentKilobytes - before.ResidentKilobytes) / (double)r.Clients;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{r.Clients} clients ({Crowd.ClientsPerAddress} to a loopback address, {Crowd.ClientsPerProcess} to a process); {r.Monitor.Count} emails of {r.FrameBytes} bytes each"));
        output.WriteLine();
        output.WriteLine("| server | resident before | with the clients, idle | per connection | threads |");
        output.WriteLine("|---|---|---|---|---|");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| monitor (clients signed in with token_auth) | {Mib(r.MonitorBefore.ResidentKilobytes)} MiB | {Mib(r.MonitorAfter.ResidentKilobytes)} MiB | {PerConnection(r.MonitorBefore, r.MonitorAfter):0.0} KiB | {r.MonitorAfter.Threads} |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| bare Kestrel WebSocket server | {Mib(r.BareBefore.ResidentKilobytes)} MiB | {Mib(r.BareAfter.ResidentKilobytes)} MiB | {PerConnection(r.BareBefore, r.BareAfter):0.0} KiB | {r.BareAfter.Threads} |"));
        output.WriteLine();
        output.WriteLine("| per email (ms) | to the first client: median | worst | first to median client: median | first to last client: median | best | worst | clients missed |");
        output.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var (label, trials) in new[] { ("monitor, from the start of APPEND", r.Monitor), ("bare server, from the broadcast request", r.Bare) })
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {label} | {Median(trials.Select(t => t.ToFirstMs)):0.0} | {trials.Max(t => t.ToFirstMs):0.0} | {Median(trials.Select(t => t.MedianMs)):0.0} | {Median(trials.Select(t => t.FirstToLastMs)):0.0} | {trials.Min(t => t.FirstToLastMs):0.0} | {trials.Max(t => t.FirstToLastMs):0.0} | {trials.Sum(t => t.Missing)} |"));
        }

        output.WriteLine();
        output.WriteLine("first to last, each email (monitor | bare): " + string.Join(", ", r.Monitor.Zip(r.Bare).Select(pair =>
            string.Create(CultureInfo.InvariantCulture, $"{pair.First.FirstToLastMs:0} | {pair.Second.FirstToLastMs:0}"))));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    public static void PrintScale(ScaleReport r, TextWriter output)
    {
        static string Mib(long kilobytes) => (kilobytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture);
        var perMailbox = (r.Running.ResidentKilobytes - r.Baseline.ResidentKilobytes) / (double)r.Mailboxes;
        var perMailboxRestarted = (r.AfterRestart.ResidentKilobytes - r.Baseline.ResidentKilobytes) / (double)r.Mailboxes;
        var floorPerMailbox = (r.Floor.ResidentKilobytes - r.FloorBeforeKilobytes) / (double)r.Mailboxes;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{r.Mailboxes} mailboxes of {r.Folders} folders each on one Dovecot; CPU over {r.IdleWindow.TotalSeconds:0} s of idle"));
        output.WriteLine();
        output.WriteLine("| process | IMAP sessions | resident | per mailbox | threads | CPU at idle (one core) |");
        output.WriteLine("|---|---|---|---|---|---|");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| monitor, default mailbox only | 1 | {Mib(r.Baseline.ResidentKilobytes)} MiB | | {r.Baseline.Threads} | {r.BaselineCpu:0.00} % |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| monitor, {r.Mailboxes} added through the API (all watched {r.AddedIn.TotalSeconds:0.0} s after the first POST) | {r.RunningSessions} | {Mib(r.Running.ResidentKilobytes)} MiB | {perMailbox:0} KiB | {r.Running.Threads} | {r.RunningCpu:0.00} % |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| monitor restarted with them (all watched {r.RestartedIn.TotalSeconds:0.0} s after the process start) | {r.AfterRestartSessions} | {Mib(r.AfterRestart.ResidentKilobytes)} MiB | {perMailboxRestarted:0} KiB | {r.AfterRestart.Threads} | {r.AfterRestartCpu:0.00} % |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| floor: plain MailKit clients, same sessions (from {Mib(r.FloorBeforeKilobytes)} MiB before connecting) | {r.FloorSessions} | {Mib(r.Floor.ResidentKilobytes)} MiB | {floorPerMailbox:0} KiB | {r.Floor.Threads} | {r.FloorCpu:0.00} % |"));
    }

    public static void PrintCluster(IReadOnlyList<TopologyResult> results, DriverOptions options, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{options.Messages} messages one at a time ({options.Warmup} warm-up not counted, {options.Gap.TotalMilliseconds} ms apart); bursts dropped into the Maildir at once"));
        output.WriteLine();
        output.WriteLine("| topology | IDLE floor median / p99 (ms) | `new_email` median / p99 (ms) | over the floor median / p99 (ms) | burst: emails, s to the last, emails/s |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (var r in results)
        {
            var floor = r.Latency.Select(s => s.IdleNotificationMs).Order().ToArray();
            var email = r.Latency.Select(s => s.NewEmailMs).Order().ToArray();
            var over = r.Latency.Select(s => s.OverheadMs).Order().ToArray();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Name} | {Percentile(floor, 0.5):0.0} / {Percentile(floor, 0.99):0.0} | {Percentile(email, 0.5):0.0} / {Percentile(email, 0.99):0.0} | {Percentile(over, 0.5):0.0} / {Percentile(over, 0.99):0.0} | {r.BurstCount}, {r.BurstElapsed.TotalSeconds:0.00}, {r.BurstCount / r.BurstElapsed.TotalSeconds:0} |"));
        }

        foreach (var r in results.Where(r => r.FailoverSeconds.Count > 0))
        {
            var sorted = r.FailoverSeconds.Order().ToArray();
            output.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Failover, {r.Name}: owner SIGKILLed → one new email at a client of a survivor, {sorted.Length} trials: median {Percentile(sorted, 0.5):0.0} s, p90 {Percentile(sorted, 0.9):0.0} s, max {sorted[^1]:0.0} s (every trial: {string.Join(", ", sorted.Select(v => v.ToString("0.0", CultureInfo.InvariantCulture)))})"));
        }
    }

    public static void PrintFlood(FloodResult result, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(result.Logins ? "failed logins from 64 addresses" : "flood from 127.0.0.17")}: {result.FloodRequestsPerSecond:0} requests/s answered ({string.Join(", ", result.FloodStatuses.OrderBy(s => s.Key).Select(s => $"{(int)s.Key}: {s.Value}"))}); monitor CPU while timing {result.MonitorCpuPercentDuring:0} % of one core"));
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
