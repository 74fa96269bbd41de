using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using EmailMonitor.Storage;
using StackExchange.Redis;

namespace EmailMonitor.Cluster;

/// <summary>
/// Tells the other instances, through Redis, what this one committed, and announces what they
/// committed to this one's <see cref="CommitLog"/>. Small commits travel with their events, so
/// a client on another instance gets them without a database read; every message says where the
/// log ended before it, so a lost or late one only means a read from the database (Redis
/// publish/subscribe promises no more than once, and <see cref="CommitLogPoller"/> backs it up).
/// </summary>
internal sealed class CommitRelay(CommitLog log, RedisConnection redis, ClusterMessages messages, TimeProvider time, ILogger<CommitRelay> logger) : BackgroundService
{
    private const int MaxRelayedPayloadBytes = 256 * 1024;

    private ChannelReader<CommittedEvents>? _commits;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (redis.Configured)
        {
            _commits = log.Subscribe();
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_commits is not { } commits || await redis.GetAsync() is not { } connection)
        {
            return;
        }

        var channel = redis.Channel("commits");
        var subscriber = connection.GetSubscriber();
        // Redis may be down as the service starts: it runs without, and subscribes once it can
        // (the client subscribes again by itself after later reconnects).
        var announcements = await RedisRetry.UntilDoneAsync(() => subscriber.SubscribeAsync(channel), time, logger, stoppingToken);
        announcements.OnMessage(message => Receive(message.Message));
        try
        {
            await foreach (var committed in commits.ReadAllAsync(stoppingToken))
            {
                if (!committed.Local)
                {
                    continue;
                }

                try
                {
                    // Not awaited by Redis: a commit is never held up by it; one not delivered is read from the database.
                    await subscriber.PublishAsync(channel, messages.Seal(Serialize(messages.Sender, committed)), CommandFlags.FireAndForget);
                }
                catch (RedisException ex)
                {
                    logger.CommitNotAnnounced(ex.GetType().Name);
                }
            }
        }
        finally
        {
            log.Unsubscribe(commits);
            await announcements.UnsubscribeAsync();
        }
    }

    private void Receive(RedisValue message)
    {
        try
        {
            if (messages.Open((ReadOnlyMemory<byte>)message) is not { } json)
            {
                logger.AnnouncementRefused();
                return;
            }

            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.GetProperty("instance").GetString() == messages.Sender)
            {
                return;
            }

            var after = root.GetProperty("after").GetInt64();
            var end = root.GetProperty("end").GetInt64();
            if (after < 0 || end < after)
            {
                throw new FormatException("a commit must end after it begins");
            }

            if (!root.TryGetProperty("events", out var events))
            {
                log.Announce(CommittedEvents.Notice(end));
                return;
            }

            var stored = events.EnumerateArray()
                .Select(e => new StoredEvent(e.GetProperty("event_id").GetInt64(), e.GetProperty("mailbox").GetString()!, e.GetProperty("payload").GetString()!))
                .ToList();
            // Ids in order within the range announced, each payload a JSON object: or it is not a commit.
            if (stored.Count == 0 || stored[^1].EventId != end || stored.Where((e, i) => e.EventId <= (i == 0 ? after : stored[i - 1].EventId)).Any()
                || stored.Any(e => e.Payload.Length < 2 || e.Payload[0] != '{' || e.Payload[^1] != '}'))
            {
                throw new FormatException("the events do not match the commit announced");
            }

            log.Announce(new CommittedEvents(after, stored, Local: false));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            logger.AnnouncementUnreadable(ex);
        }
    }

    private static byte[] Serialize(string instance, CommittedEvents committed)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("instance", instance);
            writer.WriteNumber("after", committed.After);
            writer.WriteNumber("end", committed.End);
            if (committed.Events.Sum(e => (long)e.Payload.Length) <= MaxRelayedPayloadBytes)
            {
                writer.WriteStartArray("events");
                foreach (var stored in committed.Events)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("event_id", stored.EventId);
                    writer.WriteString("mailbox", stored.Mailbox);
                    writer.WriteString("payload", stored.Payload);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
