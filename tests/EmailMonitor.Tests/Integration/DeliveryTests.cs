using System.Text.Json;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Integration;

/// <summary>Mail appended to a real Dovecot reaches authenticated WebSocket clients, analysed, once.</summary>
public sealed class DeliveryTests
{
    [Fact]
    public async Task Email_appended_over_imap_reaches_two_authenticated_clients_and_never_an_unauthenticated_one()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot);
        await using var first = await WsClient.ConnectAsync(service.WebSocketUri);
        await using var second = await WsClient.ConnectAsync(service.WebSocketUri);
        await using var anonymous = await WsClient.ConnectAsync(service.WebSocketUri);
        await first.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await second.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service);

        await dovecot.AppendAsync(Emails.Plain("Quarterly report"));

        var seenByFirst = await first.ReceiveAsync("new_email");
        var seenBySecond = await second.ReceiveAsync("new_email");
        Assert.Equal("Quarterly report", seenByFirst.GetProperty("subject").GetString());
        Assert.Equal(seenByFirst.GetProperty("id").GetString(), seenBySecond.GetProperty("id").GetString());
        Assert.Equal(seenByFirst.GetProperty("event_id").GetInt64(), seenBySecond.GetProperty("event_id").GetInt64());

        // The anonymous client gets nothing, and when it asks to resume it is told to authenticate.
        await anonymous.SendAsync(new { type = "resume", last_event_id = 0 });
        var answer = await anonymous.ReceiveAsync("error");
        Assert.Equal("auth_required", answer.GetProperty("code").GetString());
        Assert.Null(await anonymous.TryReceiveAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task New_email_event_carries_every_contract_field()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot);
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service);

        var message = Emails.Plain("Fields check", "Plain body text.");
        var uid = await dovecot.AppendAsync(message);

        var email = await client.ReceiveAsync("new_email");
        Assert.Matches($"^default:INBOX:\\d+:{uid}$", email.GetProperty("id").GetString());
        Assert.True(email.GetProperty("event_id").GetInt64() > 0);
        Assert.Equal("alice@example.com", email.GetProperty("sender").GetString());
        Assert.Equal("Alice Sender", email.GetProperty("sender_name").GetString());
        Assert.Equal(["monitor@example.com", "carol@example.com"], email.GetProperty("recipients").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("2026-11-26T08:30:00.000Z", email.GetProperty("date").GetString());
        Assert.True(DateTimeOffset.Parse(email.GetProperty("received_at").GetString()!) > DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.Equal("default", email.GetProperty("mailbox").GetString());
        Assert.Equal("INBOX", email.GetProperty("folder").GetString());
        Assert.Equal("Plain body text.", email.GetProperty("text_content").GetString()!.Trim());
        Assert.Equal(string.Empty, email.GetProperty("html_content").GetString());
        Assert.Equal(JsonValueKind.Array, email.GetProperty("attachments").ValueKind);
        Assert.Equal(JsonValueKind.Array, email.GetProperty("security_flags").ValueKind);
        Assert.Equal(0, email.GetProperty("risk_score").GetInt32());
    }
}
