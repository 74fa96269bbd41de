using System.Text.Json;
using EmailMonitor.Realtime;
using EmailMonitor.Storage;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EmailMonitor.Tests.Realtime;

/// <summary>resume replays from storage in order, then live events follow with no gap and no repeat.</summary>
public sealed class ResumeTests
{
    [Fact]
    public async Task Resume_replays_later_events_in_order_and_never_resends_one_the_connection_already_has()
    {
        await using var service = await ServiceHost.StartAsync();
        var ids = await InjectedEvents.InjectAsync(service, 5);
        var stored = await StoredAsync(service, 5);
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        await client.SendAsync(new { type = "resume", last_event_id = stored[1].EventId });
        var replay = await client.ReceiveUntilAsync(IsResumeComplete);
        Assert.Equal(ids.Skip(2), MessageIds(replay));
        Assert.Equal(3, replay[^1].GetProperty("count").GetInt32());

        var live = await InjectedEvents.InjectAsync(service, 1);
        Assert.Equal(live[0], (await client.ReceiveAsync("new_email")).GetProperty("id").GetString());

        await client.SendAsync(new { type = "resume", last_event_id = 0 });
        var rest = await client.ReceiveUntilAsync(IsResumeComplete);
        Assert.Equal(ids.Take(2), MessageIds(rest));
        Assert.Equal(2, rest[^1].GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Resume_from_before_what_retention_kept_sends_what_is_left_and_says_how_far_it_was_deleted()
    {
        await using var service = await ServiceHost.StartAsync(variables: v => v["RETENTION_MAX_EVENTS"] = "3");
        var ids = await InjectedEvents.InjectAsync(service, 5);
        var stored = await StoredAsync(service, 5);
        var retention = service.App.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<RetentionService>().Single();
        Assert.Equal(2, await retention.RunAsync(service.Get<Microsoft.Extensions.Options.IOptions<StorageOptions>>().Value, TestContext.Current.CancellationToken));
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        await client.SendAsync(new { type = "resume", last_event_id = 0 });
        var replay = await client.ReceiveUntilAsync(IsResumeComplete);
        Assert.Equal(ids.Skip(2), MessageIds(replay));
        Assert.True(replay[^1].GetProperty("truncated").GetBoolean());
        Assert.Equal(stored[1].EventId, replay[^1].GetProperty("deleted_through").GetInt64());

        // From the horizon on, nothing is missing, and the answer does not say otherwise.
        await client.SendAsync(new { type = "resume", last_event_id = stored[1].EventId });
        var complete = await client.ReceiveAsync("resume_complete");
        Assert.Equal(0, complete.GetProperty("count").GetInt32());
        Assert.False(complete.TryGetProperty("truncated", out _));
    }

    [Fact]
    public async Task Events_stored_during_a_replay_arrive_once_in_event_id_order_without_a_gap()
    {
        await using var service = await ServiceHost.StartAsync();
        var before = await InjectedEvents.InjectAsync(service, 300);
        await StoredAsync(service, 300);
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        await client.SendAsync(new { type = "resume", last_event_id = 0 });
        // The first replayed event shows the replay has begun; what is stored from now on arrives
        // while it runs. (Events stored before the server reads "resume" go out live, ahead of it.)
        var received = new List<JsonElement> { await client.ReceiveAsync("new_email") };
        var during = await InjectedEvents.InjectAsync(service, 200);

        var expected = before.Concat(during).ToHashSet();
        while (received.Count(IsNewEmail) < expected.Count || !received.Any(IsResumeComplete))
        {
            received.Add(await client.ReceiveAsync());
        }

        var emails = received.Where(IsNewEmail).ToList();
        Assert.Equal(expected.Count, emails.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
        Assert.True(expected.SetEquals(emails.Select(e => e.GetProperty("id").GetString()!)));
        var eventIds = emails.Select(e => e.GetProperty("event_id").GetInt64()).ToList();
        Assert.Equal(eventIds.Order(), eventIds);
        Assert.Single(received, IsResumeComplete);
        Assert.Null(await client.TryReceiveAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_disconnected_and_the_others_keep_receiving()
    {
        await using var service = await ServiceHost.StartAsync(configure: builder =>
        {
            builder.Configuration["Realtime:MaxQueuedBytes"] = "1000000";
        });
        await using var reader = await WsClient.ConnectAsync(service.WebSocketUri);
        await reader.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await using var stalled = await WsClient.ConnectAsync(service.WebSocketUri, read: false);
        await stalled.SendAsync(new { type = "login", username = ServiceHost.AdminUsername, password = service.AdminPassword });
        var registry = service.Get<ConnectionRegistry>();
        await Eventually.TrueAsync(() => registry.Count == 2 && AllAuthenticated(registry), "both clients authenticated");

        // ~400 KB a round, read at once by the reader; the stalled client's socket buffers fill,
        // then its 1 MB queue, and it is cut off while the reader keeps up.
        for (var round = 0; round < 60 && registry.Count == 2; round++)
        {
            var ids = await InjectedEvents.InjectAsync(service, 2, textBytes: 200_000);
            foreach (var id in ids)
            {
                Assert.Equal(id, (await reader.ReceiveAsync("new_email")).GetProperty("id").GetString());
            }
        }

        await Eventually.TrueAsync(() => registry.Count == 1, "the stalled client was disconnected");
        var after = await InjectedEvents.InjectAsync(service, 1);
        Assert.Equal(after[0], (await reader.ReceiveAsync("new_email")).GetProperty("id").GetString());
    }

    private static bool AllAuthenticated(ConnectionRegistry registry) => registry.Snapshot().All(c => c.ReceivesEvents);

    private static async Task<IReadOnlyList<StoredEvent>> StoredAsync(ServiceHost service, int count)
    {
        var store = service.Get<EventStore>();
        IReadOnlyList<StoredEvent> events = [];
        await Eventually.TrueAsync(
            async () => (events = await store.ReadAfterAsync(0, 10_000, CancellationToken.None)).Count >= count,
            $"{count} events stored");
        return events;
    }

    private static bool IsResumeComplete(JsonElement frame) => frame.GetProperty("type").GetString() == "resume_complete";

    private static bool IsNewEmail(JsonElement frame) => frame.GetProperty("type").GetString() == "new_email";

    private static IEnumerable<string?> MessageIds(IEnumerable<JsonElement> frames) =>
        frames.Where(IsNewEmail).Select(f => f.GetProperty("id").GetString());
}
