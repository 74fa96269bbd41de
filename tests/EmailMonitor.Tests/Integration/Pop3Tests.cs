using System.Text.Json;
using EmailMonitor.Mail;
using EmailMonitor.Pipeline;
using EmailMonitor.Storage;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Integration;

/// <summary>A POP3 mailbox on a real Dovecot: polled by UIDL, never deleted from, caught up after restarts and deletions.</summary>
public sealed class Pop3Tests
{
    private static readonly FolderKey Inbox = new("default", "INBOX");

    [Fact]
    public async Task New_mail_arrives_once_existing_mail_is_not_replayed_and_nothing_is_deleted_on_the_server()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await dovecot.AppendAsync(Emails.Numbered("already there", 2));
        await using var service = await ServiceHost.StartAsync(dovecot, Pop3(dovecot));
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service);

        await dovecot.AppendAsync(Emails.Numbered("over pop3", 3));

        var received = new List<JsonElement>();
        for (var i = 0; i < 3; i++)
        {
            received.Add(await client.ReceiveAsync("new_email"));
        }

        Assert.Equal(["over pop3 001", "over pop3 002", "over pop3 003"], received.Select(e => e.GetProperty("subject").GetString()));
        Assert.All(received, e => Assert.StartsWith("default:INBOX:", e.GetProperty("id").GetString()));
        Assert.Equal(3, received.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
        Assert.Equal(5, await dovecot.CountAsync());
        Assert.Null(await client.TryReceiveAsync(TimeSpan.FromSeconds(6)));
    }

    [Fact]
    public async Task After_a_restart_and_deletions_on_the_server_exactly_the_new_mail_arrives_and_the_position_forgets_what_left()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var first = await ServiceHost.StartAsync(dovecot, Pop3(dovecot));
        IReadOnlyList<uint> seenUids;
        long lastSeen;
        await using (var client = await WsClient.ConnectAsync(first.WebSocketUri))
        {
            await client.LoginAsync(ServiceHost.AdminUsername, first.AdminPassword);
            await Watching.WaitAsync(first);
            seenUids = await dovecot.AppendAsync(Emails.Numbered("before the stop", 2));
            await client.ReceiveAsync("new_email");
            lastSeen = (await client.ReceiveAsync("new_email")).GetProperty("event_id").GetInt64();
        }

        await first.StopAsync();
        // The user's own client takes the old mail off the server while new mail arrives.
        await dovecot.DeleteAsync(seenUids);
        await dovecot.AppendAsync(Emails.Numbered("while stopped", 3));

        await using var second = await first.StartAgainAsync();
        await using var again = await WsClient.ConnectAsync(second.WebSocketUri);
        await again.LoginAsync(ServiceHost.AdminUsername, second.AdminPassword);
        await Watching.WaitAsync(second);
        await Eventually.TrueAsync(async () => await Seen(second) is { Count: 3 }, "the three new messages were stored");

        await again.SendAsync(new { type = "resume", last_event_id = lastSeen });
        var frames = await again.ReceiveUntilAsync(f => f.GetProperty("type").GetString() == "resume_complete");

        Assert.Equal(
            ["while stopped 001", "while stopped 002", "while stopped 003"],
            frames.Where(f => f.GetProperty("type").GetString() == "new_email").Select(f => f.GetProperty("subject").GetString()));
        Assert.Equal(3, (await Seen(second))!.Count);
    }

    [Fact]
    public async Task A_server_without_uidl_is_not_watched_and_says_why_and_nothing_on_it_is_touched()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        // The real Dovecot as a server without UIDL: not in its CAPA answer, and the command itself
        // unknown (MailKit tries "UIDL 1" when CAPA is silent), renamed on its way to Dovecot.
        static byte[] Rewrite(byte[] chunk, string from, string to) =>
            System.Text.Encoding.Latin1.GetBytes(System.Text.Encoding.Latin1.GetString(chunk).Replace(from, to, StringComparison.Ordinal));
        await using var proxy = new TcpProxy(
            dovecot.Pop3Port,
            rewriteServer: chunk => Rewrite(chunk, "\r\nUIDL\r\n", "\r\n"),
            rewriteClient: chunk => Rewrite(chunk, "UIDL", "XUID"));
        await dovecot.AppendAsync(Emails.Numbered("on the server", 2));
        await using var service = await ServiceHost.StartAsync(dovecot, v =>
        {
            Pop3(dovecot)(v);
            v["EMAIL_PORT"] = proxy.Port.ToString();
        });

        var board = service.Get<MailboxStatusBoard>();
        await Eventually.TrueAsync(() => board.Get(Inbox)?.LastError?.Contains("UIDL", StringComparison.Ordinal) == true, "the missing UIDL is reported");
        await Eventually.TrueAsync(
            async () => (await File.ReadAllTextAsync(Path.Combine(service.LogDirectory, "email_monitor.log"))).Contains("does not support UIDL", StringComparison.Ordinal),
            "a warning says why");

        Assert.NotEqual(FolderState.Watching, board.Get(Inbox)!.State);
        Assert.Null(await Seen(service));
        Assert.Equal(2, await dovecot.CountAsync());
    }

    [Fact]
    public async Task Test_email_checks_a_pop3_mailbox()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await dovecot.AppendAsync(Emails.Numbered("existing", 2));
        using var directory = new TempDirectory();
        var variables = ServiceHost.DefaultVariables(directory.Path, dovecot);
        Pop3(dovecot)(variables);

        var (exitCode, output) = await ServiceProcess.RunAsync(variables, directory.Path, "--test-email");

        Assert.Equal(0, exitCode);
        Assert.Contains($"{dovecot.User} at 127.0.0.1:{dovecot.Pop3Port} (pop3, none)", output);
        Assert.Contains("authentication   ok", output);
        Assert.Contains("UIDL             supported", output);
        Assert.Contains("folder INBOX     ok, 2 messages", output);
        Assert.DoesNotContain(dovecot.Password, output);
    }

    private static Action<Dictionary<string, string>> Pop3(DovecotServer dovecot) => variables =>
    {
        variables["EMAIL_PROTOCOL"] = "pop3";
        variables["EMAIL_PORT"] = dovecot.Pop3Port.ToString();
        // The shortest poll the settings allow.
        variables["EMAIL_CHECK_INTERVAL"] = "5";
    };

    private static async Task<IReadOnlySet<string>?> Seen(ServiceHost service) =>
        await service.Get<EventStore>().GetPositionAsync(Inbox, CancellationToken.None) is { } stored
            ? Pop3Position.Parse(stored.Value).Seen
            : null;
}
