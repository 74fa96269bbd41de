using System.Text.Json;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Integration;

/// <summary>The service process killed outright (SIGKILL) in the middle of a burst loses nothing and doubles nothing.</summary>
public sealed class CrashTests
{
    private const int BurstSize = 40;

    [Fact]
    public async Task Killing_the_service_mid_burst_loses_no_email_and_delivers_none_twice()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        using var directory = new TempDirectory();
        var variables = ServiceHost.DefaultVariables(directory.Path, dovecot);
        var received = new List<JsonElement>();

        await using (var first = ServiceProcess.Start(variables, directory.Path))
        {
            var uri = await first.ListeningAsync();
            await Readiness.WaitForMailboxesAsync(uri);
            await using var client = await WsClient.ConnectAsync(WebSocketUri(uri));
            await client.LoginAsync(ServiceHost.AdminUsername, variables["ADMIN_PASSWORD"]);

            var burst = dovecot.AppendAsync(Emails.Numbered("burst", BurstSize));
            while (received.Count < 10)
            {
                received.Add(await client.ReceiveAsync("new_email"));
            }

            await first.KillAsync();
            TestOutput.WriteLine($"SIGKILL after {received.Count} of {BurstSize} emails reached the client");
            await burst;
            // Frames that reached the client before the kill are still to be read; then the connection ends.
            while (await ReceivedBeforeTheEndAsync(client) is { } late && late.GetProperty("type").GetString() == "new_email")
            {
                received.Add(late);
            }
        }

        await using var second = ServiceProcess.Start(variables, directory.Path);
        var secondUri = await second.ListeningAsync();
        await using var resumed = await WsClient.ConnectAsync(WebSocketUri(secondUri));
        await resumed.LoginAsync(ServiceHost.AdminUsername, variables["ADMIN_PASSWORD"]);
        await resumed.SendAsync(new { type = "resume", last_event_id = received.Max(e => e.GetProperty("event_id").GetInt64()) });
        while (received.Select(Subject).Distinct().Count() < BurstSize)
        {
            var frame = await resumed.ReceiveAsync(TimeSpan.FromSeconds(30));
            if (frame.GetProperty("type").GetString() == "new_email")
            {
                received.Add(frame);
            }
        }

        var extra = await resumed.TryReceiveAsync(TimeSpan.FromMilliseconds(500));
        Assert.False(extra is { } duplicate && duplicate.GetProperty("type").GetString() == "new_email", $"An email came twice: {extra}");
        Assert.Equal(BurstSize, received.Count);
        Assert.Equal(BurstSize, received.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, BurstSize).Select(i => $"burst {i:D3}"), received.Select(Subject).Order());
        Assert.Equal(BurstSize, await ServiceDatabase.CountAsync(variables, "SELECT count(*) FROM events"));
    }

    private static string Subject(JsonElement email) => email.GetProperty("subject").GetString()!;

    private static Uri WebSocketUri(Uri baseUri) => new UriBuilder(baseUri) { Scheme = "ws", Path = "/ws" }.Uri;

    private static async Task<JsonElement?> ReceivedBeforeTheEndAsync(WsClient client)
    {
        try
        {
            return await client.TryReceiveAsync(TimeSpan.FromMilliseconds(200));
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
