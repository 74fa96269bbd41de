using System.Net;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Api;

public sealed class MailboxesApiTests
{
    [Fact]
    public async Task Admins_see_each_folders_state_and_position_and_never_the_mailbox_password()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot, v => v["INSTANCE_ID"] = "solo-1");
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service);
        await dovecot.AppendAsync(Emails.Plain("counted"));
        await client.ReceiveAsync("new_email");

        using var response = await admin.GetAsync("/api/admin/mailboxes");
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var mailbox = Assert.Single((await ApiClient.ReadAsync(response)).EnumerateArray());

        Assert.Equal("default", mailbox.GetProperty("name").GetString());
        Assert.Equal("imap", mailbox.GetProperty("protocol").GetString());
        Assert.Equal(dovecot.ImapPort, mailbox.GetProperty("port").GetInt32());
        Assert.Equal(["INBOX"], mailbox.GetProperty("folders").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("watching", mailbox.GetProperty("state").GetString());
        Assert.True(mailbox.GetProperty("password_set").GetBoolean());
        var inbox = Assert.Single(mailbox.GetProperty("folder_states").EnumerateArray());
        Assert.Equal("INBOX", inbox.GetProperty("folder").GetString());
        Assert.Equal("watching", inbox.GetProperty("state").GetString());
        Assert.True(inbox.GetProperty("idle").GetBoolean());
        Assert.Equal(1u, inbox.GetProperty("last_uid").GetUInt32());
        Assert.Equal("solo-1", inbox.GetProperty("owner").GetString());
        Assert.Equal("solo-1", (await admin.GetJsonAsync("/health/ready")).GetProperty("instance").GetString());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, inbox.GetProperty("last_connected_at").ValueKind);
        Assert.DoesNotContain(dovecot.Password, body);
    }

    [Fact]
    public async Task Viewers_may_not_see_mailboxes()
    {
        await using var service = await ServiceHost.StartAsync();
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        await admin.SendAsync(HttpMethod.Post, "/api/admin/users", new { username = "vera", password = "viewer-password-123", role = "viewer" });
        using var viewer = await ApiClient.SignInAsync(service, "vera", "viewer-password-123");

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/admin/mailboxes")).StatusCode);
    }
}
