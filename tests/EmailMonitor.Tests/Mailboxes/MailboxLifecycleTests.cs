using System.Net;
using System.Text.Json;
using EmailMonitor.Mail;
using EmailMonitor.Pipeline;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Mailboxes;

/// <summary>
/// Mailboxes added, changed, paused and removed through the API while mail flows, on one real
/// Dovecot with several accounts: each change touches only its own mailbox, nothing is lost or doubled.
/// </summary>
public sealed class MailboxLifecycleTests
{
    [Fact]
    public async Task Mailboxes_added_changed_paused_and_removed_at_run_time_never_disturb_the_others()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        var alphaPassword = await dovecot.AddUserAsync("alpha");
        var betaPassword = await dovecot.AddUserAsync("beta");
        await dovecot.CreateFolderAsync("Alerts", "alpha", alphaPassword);
        await using var service = await ServiceHost.StartAsync(dovecot);
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service);
        var board = service.Get<MailboxStatusBoard>();
        var defaultConnectedAt = board.Get(new FolderKey("default", "INBOX"))!.LastConnectedAt;

        // Added: an IMAP mailbox and a POP3 one, next to the default.
        await CreatedAsync(admin, new { name = "alpha", protocol = "imap", host = "127.0.0.1", port = dovecot.ImapPort, security = "none", username = "alpha", password = alphaPassword });
        await CreatedAsync(admin, new { name = "beta", protocol = "pop3", host = "127.0.0.1", port = dovecot.Pop3Port, security = "none", username = "beta", password = betaPassword, check_interval = 5 });
        await WatchedAsync(board, "alpha", "INBOX");
        await WatchedAsync(board, "beta", "INBOX");

        await dovecot.AppendAsync(Emails.Plain("to alpha 1"), user: "alpha", password: alphaPassword);
        await dovecot.AppendAsync(Emails.Plain("to beta 1"), user: "beta", password: betaPassword);
        await dovecot.AppendAsync(Emails.Plain("to default 1"));
        var first = await ReceiveAsync(client, 3);
        Assert.Equal(("alpha", "INBOX"), first["to alpha 1"]);
        Assert.Equal(("beta", "INBOX"), first["to beta 1"]);
        Assert.Equal(("default", "INBOX"), first["to default 1"]);

        // Changed: alpha watches a second folder; only alpha reconnects.
        using (var changed = await admin.SendAsync(HttpMethod.Patch, "/api/admin/mailboxes/alpha", new { folders = new[] { "INBOX", "Alerts" } }))
        {
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
            Assert.Equal(["INBOX", "Alerts"], (await ApiClient.ReadAsync(changed)).GetProperty("folders").EnumerateArray().Select(f => f.GetString()));
        }

        await WatchedAsync(board, "alpha", "Alerts");
        await dovecot.AppendAsync(Emails.Plain("alpha alert"), "Alerts", "alpha", alphaPassword);
        await dovecot.AppendAsync(Emails.Plain("to alpha 2"), user: "alpha", password: alphaPassword);

        // Paused: beta's mail waits on the server.
        await OkAsync(admin, HttpMethod.Patch, "/api/admin/mailboxes/beta", new { paused = true });
        Assert.Equal(FolderState.Paused, board.Get(new FolderKey("beta", "INBOX"))!.State);
        await dovecot.AppendAsync(Emails.Plain("to beta while paused"), user: "beta", password: betaPassword);

        var second = await ReceiveAsync(client, 2);
        Assert.Equal(("alpha", "Alerts"), second["alpha alert"]);
        Assert.Equal(("alpha", "INBOX"), second["to alpha 2"]);

        // Removed: alpha's mail is no longer watched; the default goes on throughout.
        using (var removed = await admin.SendAsync(HttpMethod.Delete, "/api/admin/mailboxes/alpha"))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        Assert.Null(board.Get(new FolderKey("alpha", "INBOX")));
        await dovecot.AppendAsync(Emails.Plain("to alpha after removal"), user: "alpha", password: alphaPassword);
        await dovecot.AppendAsync(Emails.Plain("to default 2"));
        await OkAsync(admin, HttpMethod.Patch, "/api/admin/mailboxes/beta", new { paused = false });

        var third = await ReceiveAsync(client, 2);
        Assert.Equal(("default", "INBOX"), third["to default 2"]);
        Assert.Equal(("beta", "INBOX"), third["to beta while paused"]);
        Assert.Null(await client.TryReceiveAsync(TimeSpan.FromSeconds(6)));
        Assert.Equal(defaultConnectedAt, board.Get(new FolderKey("default", "INBOX"))!.LastConnectedAt);

        // Stored events of the removed mailbox stay; nothing was stored twice.
        var stored = await admin.GetJsonAsync("/api/emails?limit=100");
        var subjects = stored.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("subject").GetString()).ToList();
        Assert.Equal(subjects.Count, subjects.Distinct().Count());
        Assert.Contains("to alpha 1", subjects);
        Assert.DoesNotContain("to alpha after removal", subjects);
        var list = await admin.GetJsonAsync("/api/admin/mailboxes");
        Assert.Equal(["default", "beta"], list.EnumerateArray().Select(m => m.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Mailboxes_and_their_credentials_survive_a_restart_encrypted_and_never_appear_in_answers_logs_or_the_database()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        var alphaPassword = await dovecot.AddUserAsync("alpha");
        await using var first = await ServiceHost.StartAsync(dovecot);
        using (var admin = await ApiClient.SignInAsync(first, ServiceHost.AdminUsername, first.AdminPassword))
        {
            using var created = await admin.SendAsync(
                HttpMethod.Post,
                "/api/admin/mailboxes",
                new { name = "alpha", host = "127.0.0.1", port = dovecot.ImapPort, security = "none", username = "alpha", password = alphaPassword });
            var body = await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.DoesNotContain(alphaPassword, body);
            Assert.True((await ApiClient.ReadAsync(created)).GetProperty("password_set").GetBoolean());
            await WatchedAsync(first.Get<MailboxStatusBoard>(), "alpha", "INBOX");
            Assert.DoesNotContain(alphaPassword, await (await admin.GetAsync("/api/admin/mailboxes")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        await first.StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.Combine(first.Directory, "data")))
        {
            Assert.DoesNotContain(alphaPassword, System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken)));
        }

        foreach (var file in Directory.GetFiles(first.LogDirectory))
        {
            Assert.DoesNotContain(alphaPassword, await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken));
        }

        await using var second = await first.StartAgainAsync();
        await using var client = await WsClient.ConnectAsync(second.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, second.AdminPassword);
        await WatchedAsync(second.Get<MailboxStatusBoard>(), "alpha", "INBOX");
        await dovecot.AppendAsync(Emails.Plain("after the restart"), user: "alpha", password: alphaPassword);
        var email = await client.ReceiveAsync("new_email");
        Assert.Equal("alpha", email.GetProperty("mailbox").GetString());
    }

    [Fact]
    public async Task Credentials_sealed_with_another_key_leave_that_mailbox_auth_failed_and_the_others_running()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        var alphaPassword = await dovecot.AddUserAsync("alpha");
        await using var first = await ServiceHost.StartAsync(dovecot, v => v["CREDENTIALS_KEY"] = Convert.ToBase64String(new byte[32]));
        using (var admin = await ApiClient.SignInAsync(first, ServiceHost.AdminUsername, first.AdminPassword))
        {
            await CreatedAsync(admin, new { name = "alpha", host = "127.0.0.1", port = dovecot.ImapPort, security = "none", username = "alpha", password = alphaPassword });
        }

        await first.StopAsync();
        var variables = new Dictionary<string, string>(first.Variables) { ["CREDENTIALS_KEY"] = Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray()) };
        await using var second = await ServiceHost.StartAsync(directory: first.Directory, reuseVariables: variables);
        await Watching.WaitAsync(second);
        var board = second.Get<MailboxStatusBoard>();
        await Eventually.TrueAsync(() => board.Get(new FolderKey("alpha", "INBOX"))?.State == FolderState.AuthFailed, "alpha is auth_failed");

        using var again = await ApiClient.SignInAsync(second, ServiceHost.AdminUsername, second.AdminPassword);
        var alpha = await again.GetJsonAsync("/api/admin/mailboxes/alpha");
        Assert.Equal("auth_failed", alpha.GetProperty("state").GetString());
        Assert.Contains("CREDENTIALS_KEY", alpha.GetProperty("last_error").GetString());
        Assert.Equal("watching", (await again.GetJsonAsync("/api/admin/mailboxes/default")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Test_email_checks_every_mailbox_one_block_each_and_fails_when_one_fails()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        var alphaPassword = await dovecot.AddUserAsync("alpha");
        await using var service = await ServiceHost.StartAsync(dovecot);
        using (var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword))
        {
            await CreatedAsync(admin, new { name = "alpha", host = "127.0.0.1", port = dovecot.ImapPort, security = "none", username = "alpha", password = alphaPassword });
            await CreatedAsync(admin, new { name = "wrong", protocol = "pop3", host = "127.0.0.1", port = dovecot.Pop3Port, security = "none", username = "alpha", password = "not-it" });
        }

        await service.StopAsync();
        var (exitCode, output) = await ServiceProcess.RunAsync(new Dictionary<string, string>(service.Variables), service.Directory, "--test-email");

        Assert.Equal(1, exitCode);
        Assert.Contains($"Mailbox default: {dovecot.User} at 127.0.0.1:{dovecot.ImapPort} (imap, none)", output);
        Assert.Contains($"Mailbox alpha: alpha at 127.0.0.1:{dovecot.ImapPort} (imap, none)", output);
        Assert.Contains($"Mailbox wrong: alpha at 127.0.0.1:{dovecot.Pop3Port} (pop3, none)", output);
        Assert.Contains("authentication   FAILED", output);
        Assert.Contains("Result: 1 of 3 mailboxes failed", output);
        Assert.DoesNotContain(alphaPassword, output);
    }

    [Fact]
    public async Task Credentials_whose_settings_were_altered_in_the_database_never_reach_the_altered_destination()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        var alphaPassword = await dovecot.AddUserAsync("alpha");
        await using var first = await ServiceHost.StartAsync(dovecot);
        using (var admin = await ApiClient.SignInAsync(first, ServiceHost.AdminUsername, first.AdminPassword))
        {
            await CreatedAsync(admin, new { name = "alpha", host = "127.0.0.1", port = dovecot.ImapPort, security = "none", username = "alpha", password = alphaPassword });
        }

        await first.StopAsync();
        // Someone with write access to the database but not the key points alpha at a server of theirs.
        using var trap = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        trap.Start();
        var trapPort = ((System.Net.IPEndPoint)trap.LocalEndpoint).Port;
        Assert.Equal(1, await ServiceDatabase.ExecuteAsync(first.Variables, $"UPDATE mailboxes SET settings = replace(settings, '\"port\":{dovecot.ImapPort}', '\"port\":{trapPort}')"));

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await using var second = await first.StartAgainAsync();
        await Watching.WaitAsync(second);
        var board = second.Get<MailboxStatusBoard>();

        Assert.Equal(FolderState.AuthFailed, board.Get(new FolderKey("alpha", "INBOX"))!.State);
        Assert.Contains("cannot be decrypted", board.Get(new FolderKey("alpha", "INBOX"))!.LastError);
        Assert.False(trap.Pending());
    }

    [Fact]
    public async Task Test_connection_runs_the_steps_for_one_mailbox_and_names_the_one_that_failed()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        var alphaPassword = await dovecot.AddUserAsync("alpha");
        await dovecot.CreateFolderAsync("Alerts", "alpha", alphaPassword);
        await using var service = await ServiceHost.StartAsync(dovecot);
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        await CreatedAsync(admin, new { name = "alpha", host = "127.0.0.1", port = dovecot.ImapPort, security = "none", username = "alpha", password = alphaPassword, folders = new[] { "INBOX", "Alerts" } });
        await CreatedAsync(admin, new { name = "wrong", host = "127.0.0.1", port = dovecot.ImapPort, security = "none", username = "alpha", password = "not-it", paused = true });

        using var good = await admin.SendAsync(HttpMethod.Post, "/api/admin/mailboxes/alpha/test");
        using var bad = await admin.SendAsync(HttpMethod.Post, "/api/admin/mailboxes/wrong/test");
        using var unknown = await admin.SendAsync(HttpMethod.Post, "/api/admin/mailboxes/nope/test");
        var passed = await ApiClient.ReadAsync(good);
        var failed = await ApiClient.ReadAsync(bad);

        Assert.True(passed.GetProperty("ok").GetBoolean());
        var steps = passed.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("step").GetString()).ToList();
        Assert.Equal(["DNS", "connect", "TLS", "authentication", "IDLE", "NOTIFY", "folder INBOX", "folder Alerts"], steps);
        Assert.False(failed.GetProperty("ok").GetBoolean());
        Assert.Equal("authentication", failed.GetProperty("failed_step").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.DoesNotContain(alphaPassword, passed.ToString());
    }

    private static async Task CreatedAsync(ApiClient admin, object body)
    {
        using var response = await admin.SendAsync(HttpMethod.Post, "/api/admin/mailboxes", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static async Task OkAsync(ApiClient admin, HttpMethod method, string path, object body)
    {
        using var response = await admin.SendAsync(method, path, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static Task WatchedAsync(MailboxStatusBoard board, string mailbox, string folder) =>
        Eventually.TrueAsync(() => board.Get(new FolderKey(mailbox, folder))?.State == FolderState.Watching, $"{mailbox}/{folder} is watched");

    /// <summary>The next <paramref name="count"/> events, by subject, with where each came from.</summary>
    private static async Task<Dictionary<string, (string Mailbox, string Folder)>> ReceiveAsync(WsClient client, int count)
    {
        var received = new Dictionary<string, (string, string)>();
        for (var i = 0; i < count; i++)
        {
            JsonElement email = await client.ReceiveAsync("new_email");
            received.Add(email.GetProperty("subject").GetString()!, (email.GetProperty("mailbox").GetString()!, email.GetProperty("folder").GetString()!));
        }

        return received;
    }
}
