using System.Buffers;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using EmailMonitor.Auth;
using EmailMonitor.Realtime;
using EmailMonitor.Security;
using StackExchange.Redis;

namespace EmailMonitor.Cluster;

/// <summary>
/// What one instance decides about clients and the others must act on at once, through Redis:
/// an address blocked or its block lifted, a user's logins revoked, role or mailboxes changed, a
/// login ended, a login failure or success counted. The database already holds each decision (blocks, revoked
/// refresh tokens); this closes the connections the decision concerns on every instance, puts
/// blocks in force everywhere and makes every instance count each login attempt. Messages sent
/// while an instance could not hear them are lost, so when its subscription comes back it catches
/// up from the database (<see cref="MissedDecisions"/>) and asks the others to do the same (they
/// may have missed its own).
/// </summary>
internal sealed class ClusterBus(
    RedisConnection redis,
    BlockList blocks,
    UserAdministration users,
    AuthService auth,
    LoginThrottle throttle,
    MailboxAccess access,
    ConnectionRegistry connections,
    MissedDecisions missed,
    ClusterMessages sealing,
    TimeProvider time,
    ILogger<ClusterBus> logger) : BackgroundService
{
    private static readonly TimeSpan CatchUpSpacing = TimeSpan.FromSeconds(15);

    private readonly Channel<bool> _catchUps = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Channel<bool> _limitReloads = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await redis.GetAsync() is not { } connection)
        {
            return;
        }

        var channel = redis.Channel("control");
        var subscriber = connection.GetSubscriber();

        void Publish(string kind, Action<Utf8JsonWriter> body)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("instance", sealing.Sender);
                writer.WriteString("kind", kind);
                body(writer);
                writer.WriteEndObject();
            }

            try
            {
                subscriber.Publish(channel, sealing.Seal(buffer.WrittenSpan), CommandFlags.FireAndForget);
            }
            catch (RedisException ex)
            {
                logger.ControlNotSent(kind, ex.GetType().Name);
            }
        }

        void OnBlockChanged(BlockChange change) => Publish(change.Block is null ? "lifted" : "blocked", writer =>
        {
            writer.WriteString("ip", change.Address.ToString());
            if (change.Block is { } block)
            {
                writer.WriteString("reason", block.Reason);
                writer.WriteNumber("blocked_at", block.BlockedAt.ToUnixTimeMilliseconds());
                writer.WriteNumber("expires_at", block.ExpiresAt.ToUnixTimeMilliseconds());
            }
        });
        void OnLoginsRevoked(string username) => Publish("logins_revoked", writer => writer.WriteString("username", username));
        void OnRoleChanged(string username) => Publish("role_changed", writer => writer.WriteString("username", username));
        void OnLoginEnded(string session, LoginEnd end) => Publish("login_ended", writer =>
        {
            writer.WriteString("session", session);
            writer.WriteString("end", end.ToString());
        });

        void OnLoginCounted(LoginNote note) => Publish("login_counted", writer =>
        {
            writer.WriteString("outcome", note.Kind.ToString());
            writer.WriteString("name", note.Name);
            writer.WriteString("ip", note.Client.ToString());
        });

        void OnSubscriptionsRestored()
        {
            Publish("catch_up", _ => { });
            _catchUps.Writer.TryWrite(true);
        }

        void OnMailboxLimitsChanged(string username) => Publish("mailboxes_changed", writer => writer.WriteString("username", username));

        ChannelMessageQueue? messages = null;
        redis.SubscriptionsRestored += OnSubscriptionsRestored;
        blocks.ChangedHere += OnBlockChanged;
        throttle.CountedHere += OnLoginCounted;
        users.LoginsRevoked += OnLoginsRevoked;
        users.RoleChanged += OnRoleChanged;
        auth.LoginEnded += OnLoginEnded;
        access.ChangedHere += OnMailboxLimitsChanged;
        try
        {
            messages = await RedisRetry.UntilDoneAsync(() => subscriber.SubscribeAsync(channel), time, logger, stoppingToken);
            messages.OnMessage(message => Receive(message.Message));
            // Listening from now on: what this instance and the others decided before is in the database.
            OnSubscriptionsRestored();
            var reloads = ReloadMailboxLimitsAsync(stoppingToken);
            await foreach (var _ in _catchUps.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await missed.CatchUpAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Tried again (the database may be coming back after Redis): until it succeeds, this
                    // instance may hold blocks, lifts and logins the others have changed.
                    logger.CatchUpFailed(ex.GetType().Name);
                    _catchUps.Writer.TryWrite(true);
                }

                // Requests meanwhile make one more catch-up, not one each: Redis coming and going
                // (or someone replaying the request) costs the database a few reads a minute at most.
                await Task.Delay(CatchUpSpacing, time, stoppingToken);
            }

            await reloads;
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            redis.SubscriptionsRestored -= OnSubscriptionsRestored;
            blocks.ChangedHere -= OnBlockChanged;
            throttle.CountedHere -= OnLoginCounted;
            users.LoginsRevoked -= OnLoginsRevoked;
            users.RoleChanged -= OnRoleChanged;
            auth.LoginEnded -= OnLoginEnded;
            access.ChangedHere -= OnMailboxLimitsChanged;
            if (messages is not null)
            {
                await messages.UnsubscribeAsync();
            }
        }
    }

    // Which mailboxes a viewer sees is read from the database again when another instance changed
    // it, one reload for any number of changes heard meanwhile.
    private async Task ReloadMailboxLimitsAsync(CancellationToken stoppingToken)
    {
        await foreach (var _ in _limitReloads.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await access.ReloadAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.CatchUpFailed(ex.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                _limitReloads.Writer.TryWrite(true);
            }
        }
    }

    private void Receive(RedisValue message)
    {
        try
        {
            if (sealing.Open((ReadOnlyMemory<byte>)message) is not { } json)
            {
                logger.AnnouncementRefused();
                return;
            }

            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.GetProperty("instance").GetString() == sealing.Sender)
            {
                return;
            }

            switch (root.GetProperty("kind").GetString())
            {
                case "blocked":
                    var address = IPAddress.Parse(root.GetProperty("ip").GetString()!);
                    blocks.Apply(new BlockChange(address, new IpBlock(
                        address,
                        root.GetProperty("reason").GetString()!,
                        DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("blocked_at").GetInt64()),
                        DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("expires_at").GetInt64()))));
                    break;
                case "lifted":
                    blocks.Apply(new BlockChange(IPAddress.Parse(root.GetProperty("ip").GetString()!), null));
                    break;
                case "logins_revoked":
                    connections.CloseUser(root.GetProperty("username").GetString()!);
                    break;
                case "role_changed":
                    connections.CloseUser(root.GetProperty("username").GetString()!, "role changed");
                    break;
                case "login_counted":
                    throttle.Apply(new LoginNote(
                        Enum.Parse<LoginNoteKind>(root.GetProperty("outcome").GetString()!),
                        root.GetProperty("name").GetString()!,
                        NetworkRules.ClientKey(IPAddress.Parse(root.GetProperty("ip").GetString()!))));
                    break;
                case "mailboxes_changed":
                    _limitReloads.Writer.TryWrite(true);
                    break;
                case "catch_up":
                    _catchUps.Writer.TryWrite(true);
                    break;
                case "login_ended":
                    connections.CloseLogin(root.GetProperty("session").GetString()!, Enum.Parse<LoginEnd>(root.GetProperty("end").GetString()!));
                    break;
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            logger.AnnouncementUnreadable(ex);
        }
    }
}
