using System.Text;
using EmailMonitor.Cluster;
using EmailMonitor.Tests.Support;
using StackExchange.Redis;

namespace EmailMonitor.Tests.Cluster;

/// <summary>What arrives on Redis is believed only when sealed by an instance of the deployment, and even then never moves a reader past the log.</summary>
public sealed class CommitRelayTests
{
    [Fact]
    public async Task Forged_and_impossible_announcements_on_redis_change_nothing_and_events_keep_flowing()
    {
        await using var redis = await RedisServer.StartAsync();
        var url = PostgresServer.Shared.CreateDatabase();
        await using var service = await ServiceHost.StartAsync(variables: v =>
        {
            v["DATABASE_URL"] = url;
            v["REDIS_URL"] = redis.Url;
        });
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        var channel = service.Get<RedisConnection>().Channel("commits");
        var sealing = service.Get<ClusterMessages>();
        await using var publisher = await ConnectionMultiplexer.ConnectAsync(RedisUrl.Parse(redis.Url).Options!);
        var subscriber = publisher.GetSubscriber();

        Assert.Null(sealing.Open(Encoding.UTF8.GetBytes("""{"instance":"x","after":0,"end":9000000000000000000}""")));
        Assert.NotNull(sealing.Open(sealing.Seal("{}"u8)));

        // Unsealed: a made-up email, and a notice that the log reaches the end of time.
        const string fakeEmail = """{"instance":"x","after":0,"end":1,"events":[{"event_id":1,"mailbox":"default","payload":"{\"id\":\"fake\",\"subject\":\"forged\"}"}]}""";
        Assert.Equal(1, await subscriber.PublishAsync(channel, Encoding.UTF8.GetBytes(fakeEmail)));
        Assert.Equal(1, await subscriber.PublishAsync(channel, Encoding.UTF8.GetBytes("""{"instance":"x","after":0,"end":9000000000000000000}""")));
        // Sealed (as a compromised or broken instance could), but impossible: the log ends far sooner.
        Assert.Equal(1, await subscriber.PublishAsync(channel, sealing.Seal(Encoding.UTF8.GetBytes("""{"instance":"x","after":0,"end":9000000000000000000}"""))));
        Assert.Equal(1, await subscriber.PublishAsync(channel, sealing.Seal(Encoding.UTF8.GetBytes("""{"instance":"x","after":5,"end":3,"events":[]}"""))));
        await Eventually.TrueAsync(
            () => Directory.GetFiles(service.LogDirectory, "email_monitor*.log").Any(file => ReadShared(file).Contains("not sealed by an instance of this deployment", StringComparison.Ordinal)),
            "the unsealed messages are refused");

        var ids = await InjectedEvents.InjectAsync(service, 3);

        var received = new List<string>();
        while (received.Count < 3)
        {
            received.Add((await client.ReceiveAsync("new_email")).GetProperty("id").GetString()!);
        }

        Assert.Equal(ids, received);
        Assert.Null(await client.TryReceiveAsync(TimeSpan.FromMilliseconds(300)));
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
