using System.Text.Json;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Observability;

/// <summary>The two log files: JSON lines, security events with their fields, and never a secret or a body.</summary>
public sealed class LogTests
{
    [Fact]
    public async Task No_log_file_ever_holds_a_password_token_secret_or_email_body()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot, variables: v => v["LOG_LEVEL"] = "DEBUG");
        var secrets = new List<string> { service.AdminPassword, dovecot.Password, service.Variables["JWT_SECRET_KEY"], "wrong-Pa55word-typed-by-a-user" };
        await using (var client = await WsClient.ConnectAsync(service.WebSocketUri))
        {
            await client.SendAsync(new { type = "login", username = "admin", password = "wrong-Pa55word-typed-by-a-user" });
            await client.ReceiveAsync("error");
            var login = await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
            secrets.Add(login.GetProperty("access_token").GetString()!);
            secrets.Add(login.GetProperty("refresh_token").GetString()!);
            await client.SendAsync(new { type = "refresh_token", refresh_token = login.GetProperty("refresh_token").GetString() });
            var refreshed = await client.ReceiveAsync("token_refreshed");
            secrets.Add(refreshed.GetProperty("access_token").GetString()!);
            secrets.Add(refreshed.GetProperty("refresh_token").GetString()!);
            await client.SendAsync(new { type = "refresh_token", refresh_token = login.GetProperty("refresh_token").GetString() });
            await client.ReceiveAsync("error");
            // Reuse revoked the login and closed this connection with it.
            await client.WaitForCloseAsync();
        }

        await using (var client = await WsClient.ConnectAsync(service.WebSocketUri))
        {
            await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
            await Watching.WaitAsync(service);
            await dovecot.AppendAsync(Emails.Plain("confidential", "The merger closes on Friday: BODY-MARKER-7f3a"));
            await client.ReceiveAsync("new_email");
        }

        await service.StopAsync();
        secrets.Add("BODY-MARKER-7f3a");
        foreach (var file in Directory.GetFiles(service.LogDirectory))
        {
            var text = await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);
            Assert.NotEmpty(text);
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{Path.GetFileName(file)} holds a secret: {secret[..Math.Min(6, secret.Length)]}…");
            }
        }
    }

    [Fact]
    public async Task Security_log_lines_are_json_with_event_ip_username_and_timestamp()
    {
        await using var service = await ServiceHost.StartAsync();
        await using (var client = await WsClient.ConnectAsync(service.WebSocketUri))
        {
            await client.SendAsync(new { type = "login", username = "mallory\nforged line", password = "guess" });
            await client.ReceiveAsync("error");
            await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
            await client.SendAsync(new { type = "token_auth", token = "forged.token.value" });
            await client.ReceiveAsync("error");
            await client.SendTextAsync("{not json");
            await client.ReceiveAsync("error");
        }

        var lines = await ReadJsonLinesAsync(Path.Combine(service.LogDirectory, "security.log"));

        Assert.Equal(["login_failed", "login_success", "invalid_token", "invalid_message"], lines.Select(l => l.GetProperty("event").GetString()));
        Assert.All(lines, line =>
        {
            Assert.Equal("127.0.0.1", line.GetProperty("ip").GetString());
            Assert.True(DateTimeOffset.TryParse(line.GetProperty("timestamp").GetString(), out _));
            Assert.True(line.TryGetProperty("username", out _));
        });
        Assert.Equal("mallory?forged line", lines[0].GetProperty("username").GetString());
        Assert.Equal("admin", lines[1].GetProperty("username").GetString());
    }

    [Fact]
    public async Task The_application_log_is_json_lines()
    {
        await using var service = await ServiceHost.StartAsync();
        await service.StopAsync();

        var lines = await ReadJsonLinesAsync(Path.Combine(service.LogDirectory, "email_monitor.log"));

        Assert.NotEmpty(lines);
        Assert.All(lines, line =>
        {
            Assert.True(line.TryGetProperty("timestamp", out _));
            Assert.True(line.TryGetProperty("level", out _));
            Assert.True(line.TryGetProperty("message", out _));
        });
        Assert.Contains(lines, line => line.GetProperty("message").GetString()!.Contains("schema version"));
    }

    [Fact]
    public async Task Every_line_of_both_logs_names_the_instance_that_wrote_it()
    {
        await using var service = await ServiceHost.StartAsync(variables: v => v["INSTANCE_ID"] = "node-7");
        using (await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword))
        {
        }

        await service.StopAsync();

        foreach (var file in new[] { "email_monitor.log", "security.log" })
        {
            var lines = await ReadJsonLinesAsync(Path.Combine(service.LogDirectory, file));
            Assert.NotEmpty(lines);
            Assert.All(lines, line => Assert.Equal("node-7", line.GetProperty("instance").GetString()));
        }
    }

    private static async Task<List<JsonElement>> ReadJsonLinesAsync(string path)
    {
        var lines = await File.ReadAllLinesAsync(path, TestContext.Current.CancellationToken);
        return [.. lines.Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }
}
