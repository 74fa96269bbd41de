using System.Net;
using System.Text.Json;
using EmailMonitor.Tests.Analysis;
using EmailMonitor.Tests.Support;
using MimeKit;

namespace EmailMonitor.Tests.Integration;

/// <summary>
/// Plugins built by this repository, installed into a PLUGIN_DIR and loaded by the service: the
/// sample judge and journal on real mail, before the rules; and judges that throw, hang past their
/// time and answer nonsense, while the mail flows on.
/// </summary>
public sealed class PluginTests
{
    [Fact]
    public async Task The_sample_plugin_judges_before_the_rules_and_journals_each_stored_event()
    {
        using var plugins = new TempDirectory();
        PluginBuilds.Install(plugins.Path, PluginBuilds.Sample);
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot, variables: v => v["PLUGIN_DIR"] = plugins.Path);
        await Readiness.WaitForMailboxesAsync(service.BaseUri);
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        using (var rule = await admin.SendAsync(HttpMethod.Post, "/api/admin/rules", new
        {
            name = "Pressure with an attachment",
            match = new { tags = new[] { "pressure-language" }, min_risk_score = 30 },
            actions = new { tags = new[] { "escalate" } },
        }))
        {
            Assert.Equal(HttpStatusCode.Created, rule.StatusCode);
        }

        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        var lure = Emails.Plain("URGENT: verify your account within 24 hours", "Your account will be suspended.");
        var builder = new BodyBuilder { TextBody = "Your account will be suspended." };
        builder.Attachments.Add("statement.pdf", SampleFiles.Pdf, new ContentType("application", "pdf"));
        lure.Body = builder.ToMessageBody();
        await dovecot.AppendAsync([lure, Emails.Plain("Lunch on Friday?")]);

        var judged = await client.ReceiveAsync("new_email");
        var plain = await client.ReceiveAsync("new_email");

        // Four phrases (30 at most) and an attachment (10): 40, and the rule, which runs after the
        // judge, sees its tag and that score.
        Assert.Equal(["pressure-language", "escalate"], judged.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(40, judged.GetProperty("risk_score").GetInt32());
        Assert.Equal(0, plain.GetProperty("tags").GetArrayLength());
        Assert.Equal(0, plain.GetProperty("risk_score").GetInt32());

        var journal = Path.Combine(service.Variables["DATA_DIR"], "plugins", PluginBuilds.Sample, "journal.jsonl");
        await Eventually.TrueAsync(() => File.Exists(journal) && File.ReadAllLines(journal).Length == 2, "both stored events journalled");
        var lines = File.ReadAllLines(journal).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(
            [judged.GetProperty("event_id").GetInt64(), plain.GetProperty("event_id").GetInt64()],
            lines.Select(l => l.GetProperty("event_id").GetInt64()));
        Assert.Equal(["pressure-language", "escalate"], lines[0].GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task A_judge_that_throws_hangs_or_answers_nonsense_is_logged_and_skipped_and_the_mail_flows()
    {
        using var plugins = new TempDirectory();
        PluginBuilds.Install(plugins.Path, PluginBuilds.Misbehaving);
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot, variables: v =>
        {
            v["PLUGIN_DIR"] = plugins.Path;
            v["PLUGIN_TIMEOUT_MS"] = "1000";
        });
        await Readiness.WaitForMailboxesAsync(service.BaseUri);
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        await dovecot.AppendAsync([Emails.Plain("please hang here"), Emails.Plain("afterwards")]);
        var first = await client.ReceiveAsync("new_email");
        var second = await client.ReceiveAsync("new_email");

        Assert.Equal(["please hang here", "afterwards"], new[] { first, second }.Select(e => e.GetProperty("subject").GetString()));
        foreach (var email in new[] { first, second })
        {
            // The nonsense judge: its known flag and valid tag kept, the rest left out, its score change bounded.
            Assert.Equal(["sender_spoofing"], email.GetProperty("security_flags").EnumerateArray().Select(f => f.GetString()));
            Assert.Contains("checked", email.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
            Assert.DoesNotContain("<script>alert(1)</script>", email.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
            Assert.Equal(0, email.GetProperty("risk_score").GetInt32());
            // The hanging judge hangs on the first and is passed over while it does (it would tag the second).
            Assert.DoesNotContain("hanging-judge-was-here", email.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        }

        var log = await File.ReadAllTextAsync(Path.Combine(service.LogDirectory, "email_monitor.log"), TestContext.Current.CancellationToken);
        Assert.Contains("the throwing judge throws, as asked", log, StringComparison.Ordinal);
        Assert.Contains("took longer than 1000 ms", log, StringComparison.Ordinal);
        Assert.Contains("is still in a call that ran out of time", log, StringComparison.Ordinal);
        Assert.Contains("made_up_flag", log, StringComparison.Ordinal);
    }
}
