using System.Net;
using EmailMonitor.Mail;
using EmailMonitor.Mailboxes;
using EmailMonitor.Pipeline;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Mailboxes;

/// <summary>
/// OAuth 2.0 mailboxes against a real Dovecot whose oauth2 passdb introspects tokens at a real
/// authorization server with short-lived access tokens and rotating refresh tokens.
/// </summary>
public sealed class OAuth2MailboxTests
{
    [Theory]
    [InlineData("imap")]
    [InlineData("pop3")]
    public async Task Tokens_are_refreshed_when_they_expire_and_the_rotated_refresh_token_is_stored(string protocol)
    {
        await using var oauth = await OAuth2Server.StartAsync();
        // Short, so it expires within the test, yet long enough to outlast Dovecot's introspection
        // on a machine busy with the rest of the suite (2 s did not, once).
        oauth.AccessTokenLifetime = TimeSpan.FromSeconds(6);
        await using var dovecot = await DovecotServer.StartAsync(oauth2IntrospectionUrl: oauth.IntrospectionUrl);
        await using var service = await ServiceHost.StartAsync(dovecot);
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service);
        var board = service.Get<MailboxStatusBoard>();

        // The test itself delivers with a password; the monitor logs in with tokens only.
        var deskPassword = await dovecot.AddUserAsync("desk");
        await CreateAsync(admin, oauth, dovecot, protocol, "desk");
        await WatchedAsync(board);
        await dovecot.AppendAsync(Emails.Plain("first over oauth2"), user: "desk", password: deskPassword);
        Assert.Equal("first over oauth2", (await client.ReceiveAsync("new_email")).GetProperty("subject").GetString());
        var refreshesBefore = oauth.Refreshes;

        // The access token expires while a session is open (IMAP) or between polls (POP3); the next session needs a new one.
        await Task.Delay(oauth.AccessTokenLifetime + TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        if (protocol == "imap")
        {
            await dovecot.KickAsync("desk");
        }

        await dovecot.AppendAsync(Emails.Plain("after the token expired"), user: "desk", password: deskPassword);

        Assert.Equal("after the token expired", (await client.ReceiveAsync("new_email", TimeSpan.FromSeconds(30))).GetProperty("subject").GetString());
        Assert.True(oauth.Refreshes > refreshesBefore);
        var stored = Assert.IsType<OAuth2Credential>((await service.Get<MailboxStore>().ListAsync(TestContext.Current.CancellationToken)).Single().Credential);
        Assert.Equal(oauth.CurrentRefreshToken("desk"), stored.RefreshToken);

        // Neither the client secret nor any refresh token ever issued is in the database or the logs in clear.
        await service.StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        string[] secrets = [OAuth2Server.ClientSecret, .. oauth.IssuedRefreshTokens];
        foreach (var file in Directory.GetFiles(Path.Combine(service.Directory, "data")).Concat(Directory.GetFiles(service.LogDirectory)))
        {
            var content = System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken));
            Assert.All(secrets, secret => Assert.DoesNotContain(secret, content, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_token_the_server_refuses_is_refreshed_and_the_login_tried_again()
    {
        await using var oauth = await OAuth2Server.StartAsync();
        await using var dovecot = await DovecotServer.StartAsync(oauth2IntrospectionUrl: oauth.IntrospectionUrl);
        var deskPassword = await dovecot.AddUserAsync("desk");
        await using var service = await ServiceHost.StartAsync(dovecot);
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        var board = service.Get<MailboxStatusBoard>();
        await CreateAsync(admin, oauth, dovecot, "imap", "desk");
        await WatchedAsync(board);
        var refreshesBefore = oauth.Refreshes;

        // The cached token still looks good for an hour, but the provider no longer accepts it.
        oauth.InvalidateAccessTokens();
        await dovecot.KickAsync("desk");
        await dovecot.AppendAsync(Emails.Plain("after a refused token"), user: "desk", password: deskPassword);

        Assert.Equal("after a refused token", (await client.ReceiveAsync("new_email", TimeSpan.FromSeconds(30))).GetProperty("subject").GetString());
        Assert.Equal(refreshesBefore + 1, oauth.Refreshes);
    }

    [Fact]
    public async Task A_revoked_grant_makes_that_mailbox_auth_failed_in_the_api_and_metrics_while_the_others_go_on()
    {
        await using var oauth = await OAuth2Server.StartAsync();
        await using var dovecot = await DovecotServer.StartAsync(oauth2IntrospectionUrl: oauth.IntrospectionUrl);
        await dovecot.AddUserAsync("desk");
        await using var service = await ServiceHost.StartAsync(dovecot);
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service);
        var board = service.Get<MailboxStatusBoard>();
        await CreateAsync(admin, oauth, dovecot, "imap", "desk");
        await WatchedAsync(board);

        oauth.Revoke("desk");
        await dovecot.KickAsync("desk");
        await Eventually.TrueAsync(() => board.Get(new FolderKey("desk", "INBOX"))?.State == FolderState.AuthFailed, "desk is auth_failed", TimeSpan.FromSeconds(30));
        await dovecot.AppendAsync(Emails.Plain("the default goes on"));

        Assert.Equal("the default goes on", (await client.ReceiveAsync("new_email")).GetProperty("subject").GetString());
        var desk = await admin.GetJsonAsync("/api/admin/mailboxes/desk");
        Assert.Equal("auth_failed", desk.GetProperty("state").GetString());
        Assert.Contains("invalid_grant", desk.GetProperty("last_error").GetString());
        using var metrics = await ApiClient.Anonymous(service).GetAsync("/metrics");
        var text = await metrics.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Matches("email_monitor_mailbox_auth_failed\\{[^}]*mailbox=\"desk\"[^}]*\\} 1", text);
        Assert.Matches("email_monitor_mailbox_auth_failed\\{[^}]*mailbox=\"default\"[^}]*\\} 0", text);
    }

    [Fact]
    public async Task An_unreachable_token_endpoint_is_retried_as_a_network_fault_not_reported_as_a_refused_login()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot);
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        var closedPort = FreePort.Next();
        using var response = await admin.SendAsync(HttpMethod.Post, "/api/admin/mailboxes", new
        {
            name = "desk",
            host = "127.0.0.1",
            port = dovecot.ImapPort,
            security = "none",
            username = "desk",
            oauth2 = new { token_url = $"http://127.0.0.1:{closedPort}/token", client_id = "c", refresh_token = "secret-refresh-token" },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var board = service.Get<MailboxStatusBoard>();
        var states = new List<FolderState>();
        // The first retry may come at once (the backoff's jitter starts at zero), so the folder is
        // caught waiting to reconnect, not read once after the first error.
        await Eventually.TrueAsync(
            () =>
            {
                if (board.Get(new FolderKey("desk", "INBOX")) is not { } seen)
                {
                    return false;
                }

                states.Add(seen.State);
                return seen is { State: FolderState.Reconnecting, LastError: { } error } && error.Contains("token endpoint", StringComparison.Ordinal);
            },
            "desk waits to reconnect after the token endpoint could not be reached");

        var status = board.Get(new FolderKey("desk", "INBOX"))!;
        Assert.DoesNotContain(FolderState.AuthFailed, states);
        Assert.DoesNotContain("secret-refresh-token", status.LastError);
    }

    private static async Task CreateAsync(ApiClient admin, OAuth2Server oauth, DovecotServer dovecot, string protocol, string user)
    {
        using var response = await admin.SendAsync(HttpMethod.Post, "/api/admin/mailboxes", new
        {
            name = user,
            protocol,
            host = "127.0.0.1",
            port = protocol == "pop3" ? dovecot.Pop3Port : dovecot.ImapPort,
            security = "none",
            username = user,
            check_interval = 5,
            oauth2 = new { token_url = oauth.TokenUrl, client_id = OAuth2Server.ClientId, client_secret = OAuth2Server.ClientSecret, refresh_token = oauth.Grant(user) },
        });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static Task WatchedAsync(MailboxStatusBoard board, string mailbox = "desk") =>
        Eventually.TrueAsync(() => board.Get(new FolderKey(mailbox, "INBOX"))?.State == FolderState.Watching, $"{mailbox} is watched", TimeSpan.FromSeconds(30));
}
