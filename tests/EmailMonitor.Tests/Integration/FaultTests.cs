using System.Text.Json;
using EmailMonitor.Mail;
using EmailMonitor.Pipeline;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Integration;

/// <summary>
/// The ways IMAP monitors fail in the field, against a real Dovecot: every email is delivered
/// (live or through resume) and none twice.
/// </summary>
public sealed class FaultTests
{
    [Fact]
    public async Task Mail_that_arrives_while_dovecot_is_down_is_delivered_after_it_restarts()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot);
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service);
        await dovecot.AppendAsync(Emails.Plain("before the outage"));
        await client.ReceiveAsync("new_email");

        await dovecot.StopAsync();
        await Eventually.TrueAsync(() => StateOf(service) != FolderState.Watching, "the monitor noticed the outage");
        foreach (var message in Emails.Numbered("during the outage", 3))
        {
            await dovecot.DropAsync(message);
        }

        await dovecot.RestartAsync();
        var caughtUp = await ReceiveEmailsAsync(client, 3, TimeSpan.FromSeconds(90));
        await dovecot.AppendAsync(Emails.Plain("after the outage"));
        var live = await client.ReceiveAsync("new_email");

        Assert.Equal(["during the outage 001", "during the outage 002", "during the outage 003"], Subjects(caughtUp));
        Assert.Equal("after the outage", live.GetProperty("subject").GetString());
        Assert.Null(await client.TryReceiveAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task A_kicked_session_reconnects_and_mail_from_the_gap_is_delivered_once()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot);
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service);
        var connectedBefore = service.Get<MailboxStatusBoard>().Get(Inbox)!.LastConnectedAt;

        await dovecot.KickAsync();
        await dovecot.AppendAsync(Emails.Plain("sent while kicked"));
        await Eventually.TrueAsync(
            () => service.Get<MailboxStatusBoard>().Get(Inbox) is { State: FolderState.Watching } status && status.LastConnectedAt > connectedBefore,
            "the monitor reconnected",
            TimeSpan.FromSeconds(60));
        await dovecot.AppendAsync(Emails.Plain("sent after reconnect"));

        var emails = await ReceiveEmailsAsync(client, 2, TimeSpan.FromSeconds(30));
        Assert.Equal(["sent while kicked", "sent after reconnect"], Subjects(emails));
        Assert.Null(await client.TryReceiveAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task Every_kick_of_an_established_session_is_retried_within_the_first_ceiling()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        // Every session that logged in and opened its folder counts as stable here, so each kick
        // starts a fresh trouble: the retry is drawn from the first ceiling (1 s), however many came before.
        await using var service = await ServiceHost.StartAsync(dovecot, configure: builder => builder.Configuration["Mail:StableSessionLength"] = "00:00:00");
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service);

        for (var kick = 1; kick <= 5; kick++)
        {
            var connectedBefore = service.Get<MailboxStatusBoard>().Get(Inbox)!.LastConnectedAt;
            await dovecot.KickAsync();
            await Eventually.TrueAsync(
                () => service.Get<MailboxStatusBoard>().Get(Inbox) is { State: FolderState.Watching } status && status.LastConnectedAt > connectedBefore,
                $"the monitor reconnected after kick {kick}",
                TimeSpan.FromSeconds(60));
        }

        await dovecot.AppendAsync(Emails.Plain("after five kicks"));
        Assert.Equal("after five kicks", (await client.ReceiveAsync("new_email")).GetProperty("subject").GetString());
        var delays = await ReconnectDelaysAsync(service);
        Assert.Equal(5, delays.Count);
        Assert.All(delays, delay => Assert.InRange(delay, 0, 1.0));
    }

    [Fact]
    public async Task Mail_that_arrives_while_the_service_is_stopped_is_delivered_through_resume_after_it_starts()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var first = await ServiceHost.StartAsync(dovecot);
        long lastSeen;
        await using (var client = await WsClient.ConnectAsync(first.WebSocketUri))
        {
            await client.LoginAsync(ServiceHost.AdminUsername, first.AdminPassword);
            await Watching.WaitAsync(first);
            await dovecot.AppendAsync(Emails.Plain("seen before the stop"));
            lastSeen = (await client.ReceiveAsync("new_email")).GetProperty("event_id").GetInt64();
        }

        await first.StopAsync();
        await dovecot.AppendAsync(Emails.Numbered("while stopped", 5));
        await using var second = await first.StartAgainAsync();
        await using var again = await WsClient.ConnectAsync(second.WebSocketUri);
        await again.LoginAsync(ServiceHost.AdminUsername, second.AdminPassword);
        await Watching.WaitAsync(second);
        // Stored, not only handed to processing (LastUid): the replay reads what is committed, and
        // an event stored after resume_complete would arrive live after the frames read below.
        await Eventually.TrueAsync(
            async () => (await second.Get<EmailMonitor.Storage.EventStore>().ReadAfterAsync(lastSeen, 100, TestContext.Current.CancellationToken)).Count >= 5,
            "the backlog was stored");

        await again.SendAsync(new { type = "resume", last_event_id = lastSeen });
        var frames = await again.ReceiveUntilAsync(f => f.GetProperty("type").GetString() == "resume_complete");

        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"while stopped {i:D3}"), Subjects(InEventOrder(frames)));
    }

    [Fact]
    public async Task Existing_mail_is_not_replayed_on_the_very_first_start()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await dovecot.AppendAsync(Emails.Numbered("old mail", 3));
        await using var service = await ServiceHost.StartAsync(dovecot);
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service);

        await dovecot.AppendAsync(Emails.Plain("new mail"));
        var live = await client.ReceiveAsync("new_email");
        await client.SendAsync(new { type = "resume", last_event_id = 0 });
        var replay = await client.ReceiveUntilAsync(f => f.GetProperty("type").GetString() == "resume_complete");

        Assert.Equal("new mail", live.GetProperty("subject").GetString());
        Assert.Equal(0, replay[^1].GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task A_backlog_is_fetched_in_uid_batches_in_order()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var first = await ServiceHost.StartAsync(dovecot, variables: v => v["LOG_LEVEL"] = "DEBUG");
        await Watching.WaitAsync(first);
        await first.StopAsync();
        await dovecot.AppendAsync(Emails.Numbered("backlog", 230));

        await using var second = await first.StartAgainAsync(builder => builder.Configuration["Mail:FetchBatchSize"] = "40");
        await using var client = await WsClient.ConnectAsync(second.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, second.AdminPassword);
        // Stored, not only fetched: the replay below reads what is committed.
        await Eventually.TrueAsync(
            async () => (await second.Get<EmailMonitor.Storage.EventStore>().ReadAfterAsync(0, 1000, TestContext.Current.CancellationToken)).Count >= 230,
            "the backlog was stored",
            TimeSpan.FromSeconds(60));
        await client.SendAsync(new { type = "resume", last_event_id = 0 });
        var frames = await client.ReceiveUntilAsync(f => f.GetProperty("type").GetString() == "resume_complete", TimeSpan.FromSeconds(60));

        Assert.Equal(Enumerable.Range(1, 230).Select(i => $"backlog {i:D3}"), Subjects(InEventOrder(frames)));
        // One FETCH per batch of at most 40 UIDs, in order.
        var batches = (await LogEntriesAsync(second, eventId: 1006)).Select(entry => entry.GetProperty("Count").GetInt32());
        Assert.Equal([40, 40, 40, 40, 40, 30], batches);
    }

    [Fact]
    public async Task A_half_open_connection_is_noticed_by_the_idle_watchdog_and_replaced()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var proxy = new TcpProxy(dovecot.ImapPort);
        await using var service = await ServiceHost.StartAsync(
            dovecot,
            variables: v => v["EMAIL_PORT"] = proxy.Port.ToString(),
            configure: builder =>
            {
                builder.Configuration["Mail:IdleRenewInterval"] = "00:00:02";
                builder.Configuration["Mail:CommandTimeout"] = "00:00:02";
            });
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service);

        proxy.SilenceOpenConnections();
        await Eventually.TrueAsync(() => service.Get<MailboxStatusBoard>().Get(Inbox)!.LastError is not null, "the dead link was noticed", TimeSpan.FromSeconds(15));
        await Watching.WaitAsync(service);
        await dovecot.AppendAsync(Emails.Plain("after the dead link"));

        Assert.Equal("after the dead link", (await client.ReceiveAsync("new_email")).GetProperty("subject").GetString());
        // The session ended because an answer never came, not because the link was closed: the
        // watchdog's or MailKit's timeout, whichever fired first (both wait CommandTimeout after DONE).
        var failures = await SessionFailuresAsync(service);
        Assert.Contains(failures, error => error.Contains("did not end IDLE within", StringComparison.Ordinal) || error.Contains("timed out", StringComparison.OrdinalIgnoreCase));
        Assert.True(proxy.ConnectionCount >= 2);
    }

    [Fact]
    public async Task A_uidvalidity_change_resets_the_checkpoint_with_a_warning_and_new_mail_still_arrives()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await dovecot.CreateFolderAsync("Alerts");
        // Dovecot keeps the session on the deleted folder; the periodic re-sync's fresh EXAMINE
        // notices. The shortest check interval keeps the test quick.
        await using var service = await ServiceHost.StartAsync(
            dovecot,
            variables: v =>
            {
                v["EMAIL_FOLDER"] = "INBOX,Alerts";
                v["EMAIL_CHECK_INTERVAL"] = "5";
            },
            configure: builder => builder.Configuration["Mail:IdleRenewInterval"] = "00:00:02");
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service, "Alerts");
        await dovecot.AppendAsync(Emails.Plain("first alert"), "Alerts");
        var first = await client.ReceiveAsync("new_email");

        await dovecot.DeleteFolderAsync("Alerts");
        await dovecot.CreateFolderAsync("Alerts");
        await Eventually.TrueAsync(
            async () => (await File.ReadAllTextAsync(Path.Combine(service.LogDirectory, "email_monitor.log"))).Contains("UIDVALIDITY of default/Alerts changed"),
            "the UIDVALIDITY change was logged",
            TimeSpan.FromSeconds(60));
        await Watching.WaitAsync(service, "Alerts");
        await dovecot.AppendAsync(Emails.Plain("second alert"), "Alerts");
        var second = await client.ReceiveAsync("new_email");

        Assert.Equal("Alerts", first.GetProperty("folder").GetString());
        Assert.Equal("second alert", second.GetProperty("subject").GetString());
        Assert.NotEqual(first.GetProperty("id").GetString()!.Split(':')[2], second.GetProperty("id").GetString()!.Split(':')[2]);
    }

    [Fact]
    public async Task Each_watched_folder_is_delivered_with_its_own_name()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await dovecot.CreateFolderAsync("Phishing");
        await using var service = await ServiceHost.StartAsync(dovecot, variables: v => v["EMAIL_FOLDER"] = "INBOX, Phishing");
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service);
        await Watching.WaitAsync(service, "Phishing");

        await dovecot.AppendAsync(Emails.Plain("to the inbox"));
        var inbox = await client.ReceiveAsync("new_email");
        await dovecot.AppendAsync(Emails.Plain("to phishing"), "Phishing");
        var phishing = await client.ReceiveAsync("new_email");

        Assert.Equal("INBOX", inbox.GetProperty("folder").GetString());
        Assert.Equal("Phishing", phishing.GetProperty("folder").GetString());
    }

    [Fact]
    public async Task Without_idle_the_folder_is_polled_every_check_interval()
    {
        await using var dovecot = await DovecotServer.StartAsync(
            extraConfig: "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ UIDPLUS");
        await using var service = await ServiceHost.StartAsync(dovecot, variables: v => v["EMAIL_CHECK_INTERVAL"] = "5");
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service);
        Assert.False(service.Get<MailboxStatusBoard>().Get(Inbox)!.IdleSupported);

        await dovecot.AppendAsync(Emails.Plain("found by polling"));

        var email = await client.ReceiveAsync("new_email", TimeSpan.FromSeconds(12));
        Assert.Equal("found by polling", email.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task A_message_the_server_cannot_deliver_becomes_a_malformed_event_and_the_folder_moves_on()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var first = await ServiceHost.StartAsync(dovecot);
        await Watching.WaitAsync(first);
        await first.StopAsync();
        await dovecot.DropAsync(Emails.Plain("readable one"));
        var broken = await dovecot.DropAsync(Emails.Plain("unreadable"));
        await dovecot.DropAsync(Emails.Plain("readable three"));
        // Dovecot can no longer read the file and answers FETCH with BYE, every time.
        File.SetUnixFileMode(broken, UnixFileMode.None);

        await using var second = await first.StartAgainAsync(builder =>
        {
            builder.Configuration["Mail:MaxFetchAttempts"] = "2";
            builder.Configuration["Mail:ReconnectInitialDelay"] = "00:00:00.050";
            builder.Configuration["Mail:ReconnectMaxDelay"] = "00:00:00.200";
        });
        await using var client = await WsClient.ConnectAsync(second.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, second.AdminPassword);
        await Eventually.TrueAsync(() => second.Get<MailboxStatusBoard>().Get(Inbox)!.LastUid >= 3, "the folder got past the unreadable message", TimeSpan.FromSeconds(60));
        // Handed to processing is not yet stored: resume once all three are.
        await Eventually.TrueAsync(
            async () => await ServiceDatabase.CountAsync(second.Variables, "SELECT count(*) FROM events") >= 3, "the three events stored", TimeSpan.FromSeconds(30));
        await client.SendAsync(new { type = "resume", last_event_id = 0 });
        var frames = await client.ReceiveUntilAsync(f => f.GetProperty("type").GetString() == "resume_complete");
        await dovecot.AppendAsync(Emails.Plain("after the unreadable one"));
        var live = await client.ReceiveAsync("new_email");

        var emails = InEventOrder(frames).ToList();
        Assert.Equal(["readable one", string.Empty, "readable three"], Subjects(emails));
        Assert.Equal(["malformed_message"], emails[1].GetProperty("security_flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("after the unreadable one", live.GetProperty("subject").GetString());
    }

    private static readonly FolderKey Inbox = new("default", "INBOX");

    // Events stored after login arrive live, ahead of the replay of older ones (README): the
    // order they were stored in, which is the order they were fetched in, is event_id's.
    private static IEnumerable<JsonElement> InEventOrder(IEnumerable<JsonElement> frames) =>
        frames.Where(IsNewEmail).OrderBy(e => e.GetProperty("event_id").GetInt64());

    private static FolderState StateOf(ServiceHost service) => service.Get<MailboxStatusBoard>().Get(Inbox)!.State;

    // The error of every "Session for … failed" line (event 1002) in the application log.
    private static async Task<List<string>> SessionFailuresAsync(ServiceHost service) =>
        [.. (await LogEntriesAsync(service, eventId: 1002)).Select(entry => entry.GetProperty("Error").GetString() ?? string.Empty)];

    // The delay of every "Reconnecting … in N s" line (event 1003) in the application log.
    private static async Task<List<double>> ReconnectDelaysAsync(ServiceHost service) =>
        [.. (await LogEntriesAsync(service, eventId: 1003)).Select(entry => entry.GetProperty("DelaySeconds").GetDouble())];

    private static async Task<IEnumerable<JsonElement>> LogEntriesAsync(ServiceHost service, int eventId)
    {
        var lines = await File.ReadAllLinesAsync(Path.Combine(service.LogDirectory, "email_monitor.log"), TestContext.Current.CancellationToken);
        return lines
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(entry => entry.TryGetProperty("event_id", out var id) && id.ValueKind == JsonValueKind.Number && id.GetInt32() == eventId);
    }

    private static async Task<List<JsonElement>> ReceiveEmailsAsync(WsClient client, int count, TimeSpan timeout)
    {
        var emails = new List<JsonElement>();
        var deadline = DateTime.UtcNow + timeout;
        while (emails.Count < count)
        {
            emails.Add(await client.ReceiveAsync("new_email", deadline - DateTime.UtcNow));
        }

        return emails;
    }

    private static bool IsNewEmail(JsonElement frame) => frame.GetProperty("type").GetString() == "new_email";

    private static IEnumerable<string?> Subjects(IEnumerable<JsonElement> emails) => emails.Select(e => e.GetProperty("subject").GetString());
}
