using System.Net;
using System.Text.Json;
using EmailMonitor.Tests.Support;
using MimeKit;

namespace EmailMonitor.Tests.Integration;

/// <summary>
/// Rules on real mail from Dovecot: tags and a raised score that the WebSocket, the REST API and a
/// webhook (a real receiver) all show alike, a route past a webhook's own filter, and suppressed
/// mail that is neither stored nor sent while its checkpoint still moves past it.
/// </summary>
public sealed class RuleTests
{
    [Fact]
    public async Task Rules_tag_rescore_route_and_suppress_before_storage_and_every_reader_agrees()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot, variables: v => v["WEBHOOK_ALLOW_PRIVATE"] = "true");
        await Readiness.WaitForMailboxesAsync(service.BaseUri);
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);

        // A webhook whose own filter takes nothing this test sends: only a rule's route reaches it.
        using var createdWebhook = await admin.SendAsync(HttpMethod.Post, "/api/admin/webhooks", new { url = receiver.Url().ToString(), min_risk_score = 100 });
        var webhook = (await ApiClient.ReadAsync(createdWebhook)).GetProperty("id").GetInt64();

        using (var refused = await admin.SendAsync(HttpMethod.Post, "/api/admin/rules", new { name = "broken", match = new { subject = "(" }, actions = new { webhooks = new[] { webhook + 1 } } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var problem = await ApiClient.ReadAsync(refused);
            Assert.Contains("is not a valid .NET regular expression", problem.GetProperty("errors").GetProperty("match.subject")[0].GetString(), StringComparison.Ordinal);
            Assert.Equal($"no webhook has the id {webhook + 1}", problem.GetProperty("errors").GetProperty("actions.webhooks")[0].GetString());
        }

        using var suppress = await admin.SendAsync(HttpMethod.Post, "/api/admin/rules", new
        {
            name = "Newsletters",
            match = new { sender_domains = new[] { "newsletter.example" }, max_risk_score = 20 },
            actions = new { suppress = true },
        });
        Assert.Equal(HttpStatusCode.Created, suppress.StatusCode);
        using var finance = await admin.SendAsync(HttpMethod.Post, "/api/admin/rules", new
        {
            name = "Invoices",
            priority = 10,
            match = new { subject = "(?i)\\binvoice\\b" },
            actions = new { tags = new[] { "finance" }, score = 35, webhooks = new[] { webhook } },
        });
        Assert.Equal(HttpStatusCode.Created, finance.StatusCode);
        var listed = await admin.GetJsonAsync("/api/admin/rules");
        Assert.Equal(["Invoices", "Newsletters"], listed.EnumerateArray().Select(r => r.GetProperty("name").GetString()));

        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await dovecot.AppendAsync([Newsletter("Weekly digest"), Emails.Plain("Invoice 42 overdue"), Emails.Plain("Lunch?"), Newsletter("Last call")]);

        var invoice = await client.ReceiveAsync("new_email");
        var lunch = await client.ReceiveAsync("new_email");
        Assert.Equal("Invoice 42 overdue", invoice.GetProperty("subject").GetString());
        Assert.Equal(["finance"], invoice.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(35, invoice.GetProperty("risk_score").GetInt32());
        Assert.Equal("Lunch?", lunch.GetProperty("subject").GetString());
        Assert.Equal(0, lunch.GetProperty("tags").GetArrayLength());

        // The checkpoint moves past the last message, suppressed as it is: a restart does not fetch it again.
        await Eventually.TrueAsync(
            async () => (await PositionAsync(service)).EndsWith(":4", StringComparison.Ordinal),
            "the folder's checkpoint past the fourth message");
        Assert.Equal(2, await ServiceDatabase.CountAsync(service.Variables, "SELECT count(*) FROM events"));
        Assert.Null(await client.TryReceiveAsync(TimeSpan.FromMilliseconds(300)));

        var stored = await admin.GetJsonAsync("/api/emails");
        Assert.Equal(["Lunch?", "Invoice 42 overdue"], stored.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("subject").GetString()));
        var storedInvoice = stored.GetProperty("items")[1];
        Assert.Equal(invoice.GetProperty("tags").ToString(), storedInvoice.GetProperty("tags").ToString());
        Assert.Equal(35, storedInvoice.GetProperty("risk_score").GetInt32());

        var delivery = await receiver.NextAsync();
        using (var body = JsonDocument.Parse(delivery.Body))
        {
            Assert.Equal(invoice.GetProperty("event_id").GetInt64(), body.RootElement.GetProperty("event_id").GetInt64());
            Assert.Equal(["finance"], body.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
            Assert.Equal(35, body.RootElement.GetProperty("risk_score").GetInt32());
        }

        Assert.Single(receiver.All);
    }

    private static async Task<string> PositionAsync(ServiceHost service)
    {
        await using var connection = await ServiceDatabase.OpenAsync(service.Variables);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT position FROM source_positions WHERE folder = 'INBOX'";
        return await command.ExecuteScalarAsync(TestContext.Current.CancellationToken) as string ?? string.Empty;
    }

    private static MimeMessage Newsletter(string subject)
    {
        var message = Emails.Plain(subject);
        message.From.Clear();
        message.From.Add(new MailboxAddress("The Newsletter", "news@mail.newsletter.example"));
        return message;
    }
}
