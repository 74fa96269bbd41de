using System.Net;
using System.Text.Json;
using EmailMonitor.Mail;
using EmailMonitor.Pipeline;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Observability;

public sealed class HealthAndMetricsTests
{
    [Fact]
    public async Task Readiness_shows_the_database_and_each_folder_and_degrades_when_the_mail_server_is_gone()
    {
        await using var dovecot = await DovecotServer.StartAsync(user: "secops-desk");
        await using var service = await ServiceHost.StartAsync(dovecot);
        using var http = new HttpClient { BaseAddress = service.BaseUri };
        await Watching.WaitAsync(service);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live", TestContext.Current.CancellationToken)).StatusCode);
        var ready = await ReadyAsync(http);
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        var folder = ready.GetProperty("checks").GetProperty("mailboxes").GetProperty("folders")[0];
        Assert.Equal("INBOX", folder.GetProperty("folder").GetString());
        Assert.Equal("watching", folder.GetProperty("state").GetString());
        Assert.True(folder.GetProperty("idle").GetBoolean());

        await dovecot.StopAsync();
        await Eventually.TrueAsync(async () => (await ReadyAsync(http)).GetProperty("status").GetString() == "Degraded", "readiness degraded");
        var degraded = (await ReadyAsync(http)).GetProperty("checks").GetProperty("mailboxes").GetProperty("folders")[0];
        Assert.NotEqual("watching", degraded.GetProperty("state").GetString());
        // Anyone may ask: the answer says the folder is down, not whose account, where, or why.
        Assert.NotNull(service.Get<MailboxStatusBoard>().Get(new FolderKey("default", "INBOX"))!.LastError);
        foreach (var path in new[] { "/health/ready", "/metrics" })
        {
            var body = await http.GetStringAsync(path, TestContext.Current.CancellationToken);
            Assert.DoesNotContain("secops-desk", body);
            Assert.DoesNotContain($"127.0.0.1:{dovecot.ImapPort}", body);
            Assert.DoesNotContain("cannot connect", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("last_error", body);
        }
    }

    [Fact]
    public async Task Metrics_count_emails_connections_failed_authentications_uptime_and_folder_state()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot);
        using var http = new HttpClient { BaseAddress = service.BaseUri };
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.SendAsync(new { type = "login", username = "admin", password = "wrong" });
        await client.ReceiveAsync("error");
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service);
        var uid = await dovecot.AppendAsync(Emails.Plain("counted"));
        await client.ReceiveAsync("new_email");

        var metrics = await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Contains("email_monitor_emails_processed_total", metrics);
        Assert.Matches(@"email_monitor_emails_processed_total(\{[^}]*\})? 1\b", metrics);
        Assert.Matches(@"email_monitor_websocket_connections(\{[^}]*\})? 1\b", metrics);
        Assert.Matches(@"email_monitor_auth_failures_total\{[^}]*reason=""auth_failed""[^}]*\} 1\b", metrics);
        Assert.Contains("email_monitor_uptime_seconds", metrics);
        Assert.Matches(@"email_monitor_mailbox_connected\{[^}]*folder=""INBOX""[^}]*\} 1\b", metrics);
        Assert.Matches($@"email_monitor_mailbox_last_uid\{{[^}}]*folder=""INBOX""[^}}]*\}} {uid}\b", metrics);
    }

    private static async Task<JsonElement> ReadyAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/health/ready", TestContext.Current.CancellationToken);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return document.RootElement.Clone();
    }
}
