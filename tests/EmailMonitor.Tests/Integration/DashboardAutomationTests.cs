using System.Text.Json;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Integration;

/// <summary>
/// The dashboard's webhooks and rules page in a real browser: add a webhook and see its secret once,
/// test-send to a real receiver, write a rule (a bad one refused by field), watch real mail from
/// Dovecot routed by it, read the delivery log and send a dead delivery again.
/// </summary>
public sealed class DashboardAutomationTests
{
    [Fact]
    public async Task An_administrator_adds_a_webhook_and_a_rule_tests_the_webhook_and_sends_a_dead_delivery_again()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot, variables: v => v["WEBHOOK_ALLOW_PRIVATE"] = "true");
        await Watching.WaitAsync(service);
        await using var page = await ChromiumPage.OpenAsync();
        await page.NavigateAsync(service.BaseUri);
        await DashboardForms.SignInAsync(page, ServiceHost.AdminUsername, service.AdminPassword);
        await page.WaitUntilAsync("!document.getElementById('tab-automation').hidden", "the webhooks and rules tab is offered to an administrator");
        await page.EvaluateAsync("document.getElementById('tab-automation').click()");

        // Only events a rule routes reach it: its own filter wants a score no email here has.
        await DashboardForms.SubmitAsync(page, "webhook-form", new() { ["url"] = receiver.Url().ToString(), ["min_risk_score"] = "100" });
        await page.WaitUntilAsync("document.getElementById('webhook-secret').textContent.includes('whsec_')", "the new secret is shown once");
        await page.WaitUntilAsync("document.querySelector('#webhook-table tr[data-id]') !== null", "the webhook is listed");
        var id = (await page.EvaluateAsync("Number(document.querySelector('#webhook-table tr[data-id]').dataset.id)")).GetInt64();
        Assert.DoesNotContain("/hook", (await page.EvaluateAsync("document.getElementById('webhook-table').textContent")).GetString()!, StringComparison.Ordinal);

        await page.EvaluateAsync($"document.querySelector('button[aria-label=\"Test webhook {id}\"]').click()");
        var test = await receiver.NextAsync();
        Assert.StartsWith("test-", test.Id, StringComparison.Ordinal);
        await page.WaitUntilAsync("document.getElementById('webhook-message').textContent.includes('was delivered')", "the test send is reported delivered");

        await DashboardForms.SubmitAsync(page, "rule-form", new() { ["name"] = "Invoices", ["match"] = """{"subject": "(unclosed"}""", ["actions"] = """{"tags": ["finance"]}""" });
        await page.WaitUntilAsync("document.getElementById('rule-errors').textContent.includes('match.subject:')", "the bad pattern is refused by its field");
        await DashboardForms.SubmitAsync(page, "rule-form", new() { ["name"] = "Invoices", ["match"] = """{"subject": "(?i)invoice"}""", ["actions"] = $$"""{"tags": ["finance"], "webhooks": [{{id}}]}""" });
        await page.WaitUntilAsync("document.getElementById('rule-table').textContent.includes('Invoices')", "the rule is listed");

        await dovecot.AppendAsync([Emails.Plain("Invoice 7 overdue"), Emails.Plain("Lunch?")]);
        var routed = await receiver.NextAsync();
        using (var body = JsonDocument.Parse(routed.Body))
        {
            Assert.Equal("Invoice 7 overdue", body.RootElement.GetProperty("subject").GetString());
            Assert.Equal(["finance"], body.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        }

        // As if it had failed for a day: the log offers to send it again, and it goes.
        await Eventually.TrueAsync(
            async () => await ServiceDatabase.CountAsync(service.Variables, "SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered'") == 1,
            "the delivery recorded as delivered");
        await ServiceDatabase.ExecuteAsync(service.Variables, "UPDATE webhook_deliveries SET state = 'dead'");
        await page.EvaluateAsync($"document.querySelector('button[aria-label=\"Deliveries webhook {id}\"]').click()");
        await page.WaitUntilAsync("document.querySelector('#delivery-table .delivery-dead') !== null", "the dead delivery is shown");
        await page.EvaluateAsync("document.querySelector('#delivery-table button').click()");
        var again = await receiver.NextAsync();
        Assert.Equal(routed.Id, again.Id);
        await page.WaitUntilAsync("document.querySelector('#delivery-table .delivery-delivered') !== null", "the delivery is delivered again", TimeSpan.FromSeconds(20));

        // Signing out leaves nothing of it on the screen, the secret least of all.
        await page.EvaluateAsync("document.getElementById('logout').click()");
        await page.WaitUntilAsync("!document.getElementById('login').hidden", "signed out");
        var screen = (await page.EvaluateAsync("document.body.textContent")).GetString()!;
        Assert.DoesNotContain("whsec_", screen, StringComparison.Ordinal);
        Assert.DoesNotContain("Invoices", screen, StringComparison.Ordinal);
    }
}
