using EmailMonitor.Mail;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using EmailMonitor.Pipeline;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Integration;

/// <summary>Several folders of one mailbox over few connections: NOTIFY where the server has it, a connection budget where it does not.</summary>
public sealed class FolderConnectionTests
{
    private static readonly string[] Folders = ["INBOX", "Alerts", "Phishing", "Finance"];

    [Fact]
    public async Task With_notify_every_folder_is_watched_over_one_connection_and_mail_reaches_clients_from_each()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        foreach (var folder in Folders.Skip(1))
        {
            await dovecot.CreateFolderAsync(folder);
        }

        var commands = new CommandCounter();
        await using var service = await ServiceHost.StartAsync(
            dovecot,
            v => v["EMAIL_FOLDER"] = string.Join(',', Folders),
            configure: builder => builder.Services.Replace(ServiceDescriptor.Singleton(new MailProtocolLogs(_ => commands))));
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        foreach (var folder in Folders)
        {
            await Watching.WaitAsync(service, folder);
        }

        Assert.Equal(1, await dovecot.ImapSessionsAsync());

        // At rest the connection IDLEs: switching folders to catch up must not announce news of its
        // own (it once looped on that, at full CPU). The first catch-up round may still be under way.
        await Eventually.TrueAsync(() => commands.Idles > 0, "the connection IDLEs");
        var examines = commands.Examines;
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        Assert.Equal(examines, commands.Examines);
        Assert.All(Folders, folder => Assert.True(service.Get<MailboxStatusBoard>().Get(new FolderKey("default", folder))!.IdleSupported));
        foreach (var folder in Folders.Reverse())
        {
            await dovecot.AppendAsync(Emails.Plain($"to {folder}"), folder);
            var email = await client.ReceiveAsync("new_email");
            Assert.Equal(folder, email.GetProperty("folder").GetString());
            Assert.Equal($"to {folder}", email.GetProperty("subject").GetString());
        }

        Assert.Equal(1, await dovecot.ImapSessionsAsync());
    }

    [Fact]
    public async Task A_folder_missing_at_start_is_found_again_at_a_resync_on_the_same_connection_while_the_others_go_on()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await dovecot.CreateFolderAsync("Alerts");
        // A re-sync comes when an IDLE ends after the check interval: both short, to keep the test quick.
        await using var service = await ServiceHost.StartAsync(
            dovecot,
            v =>
            {
                v["EMAIL_FOLDER"] = "INBOX,Alerts,Phishing";
                v["EMAIL_CHECK_INTERVAL"] = "5";
            },
            configure: builder => builder.Configuration["Mail:IdleRenewInterval"] = "00:00:02");
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service, "Alerts");
        var board = service.Get<MailboxStatusBoard>();
        await Eventually.TrueAsync(() => board.Get(new FolderKey("default", "Phishing"))?.LastError?.Contains("Phishing", StringComparison.Ordinal) == true, "the missing folder is reported");
        await dovecot.AppendAsync(Emails.Plain("alerts go on"), "Alerts");
        Assert.Equal("alerts go on", (await client.ReceiveAsync("new_email")).GetProperty("subject").GetString());

        await dovecot.CreateFolderAsync("Phishing");
        await Watching.WaitAsync(service, "Phishing");
        await dovecot.AppendAsync(Emails.Plain("to phishing at last"), "Phishing");

        var email = await client.ReceiveAsync("new_email");
        Assert.Equal("Phishing", email.GetProperty("folder").GetString());
        Assert.Equal(1, await dovecot.ImapSessionsAsync());
    }

    /// <summary>Counts the EXAMINE and IDLE commands the monitor sends.</summary>
    private sealed class CommandCounter : MailKit.IProtocolLogger
    {
        private int _examines;
        private int _idles;

        public int Examines => Volatile.Read(ref _examines);

        public int Idles => Volatile.Read(ref _idles);

        public MailKit.IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

        public void LogConnect(Uri uri)
        {
        }

        public void LogClient(byte[] buffer, int offset, int count)
        {
            var line = System.Text.Encoding.ASCII.GetString(buffer, offset, count);
            if (line.Contains(" EXAMINE ", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _examines);
            }

            if (line.Contains(" IDLE", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _idles);
            }
        }

        public void LogServer(byte[] buffer, int offset, int count)
        {
        }

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task Without_notify_folders_get_their_own_connection_within_the_budget_and_the_rest_share_a_polled_one()
    {
        await using var dovecot = await DovecotServer.StartAsync(
            extraConfig: "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ UIDPLUS");
        foreach (var folder in Folders.Skip(1))
        {
            await dovecot.CreateFolderAsync(folder);
        }

        await using var service = await ServiceHost.StartAsync(
            dovecot,
            v =>
            {
                v["EMAIL_FOLDER"] = string.Join(',', Folders);
                v["EMAIL_CHECK_INTERVAL"] = "5";
            },
            configure: builder => builder.Configuration["Mail:MaxConnectionsPerMailbox"] = "2");
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        foreach (var folder in Folders)
        {
            await Watching.WaitAsync(service, folder);
        }

        var board = service.Get<MailboxStatusBoard>();
        Assert.True(board.Get(new FolderKey("default", "INBOX"))!.IdleSupported);
        Assert.All(Folders.Skip(1), folder => Assert.False(board.Get(new FolderKey("default", folder))!.IdleSupported));
        await Eventually.TrueAsync(async () => await dovecot.ImapSessionsAsync() == 2, "one IDLE connection and one polled");
        foreach (var folder in Folders)
        {
            await dovecot.AppendAsync(Emails.Plain($"to {folder}"), folder);
            var email = await client.ReceiveAsync("new_email", TimeSpan.FromSeconds(20));
            Assert.Equal(folder, email.GetProperty("folder").GetString());
        }
    }
}
