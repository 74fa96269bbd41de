using System.Globalization;
using System.Runtime.Versioning;
using EmailMonitor.LatencyDriver;

// Runs Debian's Dovecot through scripts/dovecot.
[assembly: SupportedOSPlatform("linux")]

// End-to-end latency: APPEND on a real Dovecot -> new_email at a WebSocket client, next to the
// floor no monitor can beat: the same Dovecot announcing the message to a plain MailKit IDLE client.
// With --backlog N it instead times catching up with N messages that arrived while the monitor was stopped;
// with --flood, another client's WebSocket round trips while one address floods the HTTP side;
// with --recovery outage|kick, how soon mail flows again after the server returns or drops the session;
// with --mailboxes N [--folders F], what N mailboxes of F folders cost at idle, next to a plain MailKit floor;
// with --cluster, latency, a burst and failover on one SQLite instance, one PostgreSQL instance and three with Redis;
// with --webhooks, APPEND -> webhook delivery beside new_email, then a burst to two live receivers and a dead one;
// with --fanout N, one email to N clients and memory per connection, next to a bare Kestrel WebSocket server;
// with --load [--clients N --rate R --seconds S], latency over the floor while N clients are connected and R emails/s arrive;
// with --soak [--clients N --rate R --seconds S --dwell-seconds D], the monitor's memory, descriptors and threads while clients come and go.
if (args is ["--imap-floor", var port, var mailboxes, var folders])
{
    await ImapFloor.RunAsync(int.Parse(port, CultureInfo.InvariantCulture), int.Parse(mailboxes, CultureInfo.InvariantCulture), int.Parse(folders, CultureInfo.InvariantCulture));
    return 0;
}

if (args is ["--crowd-member", ..])
{
    await Crowd.RunMemberAsync(args);
    return 0;
}

var options = DriverOptions.Parse(args);
if (options.Soak)
{
    Report.PrintSoak(await SoakRun.MeasureAsync(options), Console.Out);
    return 0;
}

if (options.Load)
{
    Report.PrintLoad(await LoadRun.MeasureAsync(options), Console.Out);
    return 0;
}

if (options.Clients > 0)
{
    Report.PrintFanOut(await FanOutRun.MeasureAsync(options), Console.Out);
    return 0;
}

if (args.Contains("--webhooks"))
{
    Report.PrintWebhooks(await WebhookRun.MeasureAsync(options), options, Console.Out);
    return 0;
}

if (options.Cluster)
{
    Report.PrintCluster(await ClusterRun.MeasureAsync(options), options, Console.Out);
    return 0;
}

if (options.Mailboxes > 0)
{
    Report.PrintScale(await ScaleRun.MeasureAsync(options), Console.Out);
    return 0;
}

if (options.Recovery is not null)
{
    Report.PrintRecovery(await RecoveryRun.MeasureAsync(options), Console.Out);
    return 0;
}

if (options.Flood)
{
    Report.PrintFlood(await FloodRun.MeasureAsync(options), Console.Out);
    return 0;
}

if (options.Backlog > 0)
{
    var (elapsed, peakKilobytes, floor) = await BacklogRun.MeasureAsync(options);
    Report.PrintBacklog(options.Backlog, elapsed, peakKilobytes, floor, Console.Out);
    return 0;
}

await using var run = await LatencyRun.StartAsync(options);
var samples = await run.MeasureAsync();
Report.Print(samples, options, Console.Out);
return 0;
