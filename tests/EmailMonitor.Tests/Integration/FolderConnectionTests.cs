using EmailMonitor.Mail;
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

        await using var service = await ServiceHost.StartAsync(dovecot, v => v["EMAIL_FOLDER"] = string.Join(',', Folders));
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        foreach (var folder in Folders)
        {
            await Watching.WaitAsync(service, folder);
        }

        Assert.Equal(1, await dovecot.ImapSessionsAsync());
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
