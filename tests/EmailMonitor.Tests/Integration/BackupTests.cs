using System.Net;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Integration;

/// <summary>
/// The backup and restore procedures of docs/deployment.md, run as written against a service that
/// keeps working while it is backed up: SQLite's online backup (with the key files beside it) and
/// PostgreSQL's pg_dump and pg_restore. What was stored comes back, sealed secrets still open, and
/// mail that arrived after the backup is fetched again from the server.
/// </summary>
public sealed class BackupTests
{
    [Fact]
    public async Task A_sqlite_backup_taken_while_the_service_runs_restores_everything_and_mail_after_it_is_fetched_again()
    {
        using var backup = new TempDirectory();
        await using var dovecot = await DovecotServer.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot, variables: v =>
        {
            v.Remove("DATABASE_URL");
            v["WEBHOOK_ALLOW_PRIVATE"] = "true";
        });
        var webhook = await StoreMailAndAWebhookAsync(service, dovecot, receiver);

        // docs/deployment.md, "SQLite": the database through SQLite's online backup, and the key files.
        var data = service.Variables["DATA_DIR"];
        await RunAsync("sqlite3", Path.Combine(data, "email-monitor.db"), $".backup '{Path.Combine(backup.Path, "email-monitor.db")}'");
        foreach (var key in Directory.GetFiles(data, "*.key"))
        {
            File.Copy(key, Path.Combine(backup.Path, Path.GetFileName(key)));
        }

        var lost = await AnotherEmailAsync(service, dovecot);

        await service.StopAsync();
        await RunAsync("sqlite3", Path.Combine(backup.Path, "email-monitor.db"), "UPDATE sqlite_sequence SET seq = seq + 1000000 WHERE name = 'events'");
        await using var restored = await ServiceHost.StartAsync(dovecot, reuseVariables: new Dictionary<string, string>(service.Variables) { ["DATA_DIR"] = backup.Path });
        await AssertRestoredAsync(restored, receiver, webhook, lost);
    }

    [Fact]
    public async Task A_postgresql_dump_taken_while_the_service_runs_restores_everything_into_a_new_database()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var original = PostgresServer.Shared.CreateDatabase();
        await using var service = await ServiceHost.StartAsync(dovecot, variables: v =>
        {
            v["DATABASE_URL"] = original;
            v["WEBHOOK_ALLOW_PRIVATE"] = "true";
            // Sealed secrets open only with the same key: production sets it, and keeps it apart from the dump.
            v["CREDENTIALS_KEY"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        });
        var webhook = await StoreMailAndAWebhookAsync(service, dovecot, receiver);

        // docs/deployment.md, "PostgreSQL": pg_dump in its custom format, then pg_restore into an empty database.
        using var backup = new TempDirectory();
        var dump = Path.Combine(backup.Path, "email-monitor.dump");
        await RunAsync("pg_dump", "--format=custom", "--no-owner", $"--file={dump}", $"--dbname={original}");
        var copy = PostgresServer.Shared.CreateDatabase();
        await RunAsync("pg_restore", "--no-owner", "--exit-on-error", $"--dbname={copy}", dump);
        var lost = await AnotherEmailAsync(service, dovecot);

        await service.StopAsync();
        await RunAsync("psql", copy, "-c", "SELECT setval(pg_get_serial_sequence('events', 'event_id'), (SELECT coalesce(max(event_id), 0) FROM events) + 1000000)");
        await using var restored = await ServiceHost.StartAsync(dovecot, reuseVariables: new Dictionary<string, string>(service.Variables) { ["DATABASE_URL"] = copy });
        await AssertRestoredAsync(restored, receiver, webhook, lost);
    }

    private static async Task<long> StoreMailAndAWebhookAsync(ServiceHost service, DovecotServer dovecot, WebhookReceiver receiver)
    {
        await Readiness.WaitForMailboxesAsync(service.BaseUri);
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        using var created = await admin.SendAsync(HttpMethod.Post, "/api/admin/webhooks", new { url = receiver.Url().ToString(), min_risk_score = 100 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await using var client = await SignedInClientAsync(service);
        await dovecot.AppendAsync(Emails.Numbered("before the backup", 3));
        for (var i = 0; i < 3; i++)
        {
            await client.ReceiveAsync("new_email");
        }

        return (await ApiClient.ReadAsync(created)).GetProperty("id").GetInt64();
    }

    // Mail after the backup, stored (and seen by a client) before the disaster: its event_id is handed out.
    private static async Task<long> AnotherEmailAsync(ServiceHost service, DovecotServer dovecot)
    {
        await using var client = await SignedInClientAsync(service);
        await dovecot.AppendAsync(Emails.Plain("after the backup"));
        return (await client.ReceiveAsync("new_email")).GetProperty("event_id").GetInt64();
    }

    private static async Task AssertRestoredAsync(ServiceHost restored, WebhookReceiver receiver, long webhook, long lostEventId)
    {
        await Readiness.WaitForMailboxesAsync(restored.BaseUri);
        using var admin = await ApiClient.SignInAsync(restored, ServiceHost.AdminUsername, restored.AdminPassword);
        // The three from the backup, and the one that arrived after it, fetched again from its checkpoint.
        await Eventually.TrueAsync(async () => (await admin.GetJsonAsync("/api/emails")).GetProperty("items").GetArrayLength() == 4, "four emails after the restore");
        var subjects = (await admin.GetJsonAsync("/api/emails")).GetProperty("items").EnumerateArray().Select(e => e.GetProperty("subject").GetString()).Order();
        Assert.Equal(["after the backup", "before the backup 001", "before the backup 002", "before the backup 003"], subjects);
        // Fetched again, it gets a number no client saw before: resume from the lost one still brings it.
        await using var client = await SignedInClientAsync(restored);
        await client.SendAsync(new { type = "resume", last_event_id = lostEventId });
        var resumed = await client.ReceiveAsync("new_email");
        Assert.Equal("after the backup", resumed.GetProperty("subject").GetString());
        Assert.True(resumed.GetProperty("event_id").GetInt64() > 1_000_000);
        // The webhook's sealed secret still opens: its test event is signed and delivered.
        using var test = await admin.SendAsync(HttpMethod.Post, $"/api/admin/webhooks/{webhook}/test");
        Assert.True((await ApiClient.ReadAsync(test)).GetProperty("delivered").GetBoolean());
        Assert.StartsWith("test-", (await receiver.NextAsync()).Id, StringComparison.Ordinal);
    }

    private static async Task<WsClient> SignedInClientAsync(ServiceHost service)
    {
        var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        return client;
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var (exitCode, output) = await Exec.RunAsync(program, arguments);
        Assert.True(exitCode == 0, $"{program} exited with {exitCode}: {output}");
    }
}
