using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using EmailMonitor.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace EmailMonitor.Cluster;

/// <summary>
/// The connection to Redis when REDIS_URL is set: opened once, re-established by the client in the
/// background whenever it drops. Names are prefixed per database, so deployments sharing one Redis
/// never hear each other.
/// </summary>
internal sealed class RedisConnection(IOptions<ClusterOptions> options, IOptions<StorageOptions> storage, Auth.SigningKey root, ILogger<RedisConnection> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _opening = new(1, 1);
    private ConnectionMultiplexer? _multiplexer;

    public bool Configured => options.Value.RedisUrl.Length > 0;

    // Not inlined into its callers, which run without Redis too: that would load the Redis client there.
    public bool IsConnected
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        get => _multiplexer?.IsConnected == true;
    }

    /// <summary>Raised when the subscriptions are back after Redis was out of reach: messages sent meanwhile are lost.</summary>
    public event Action? SubscriptionsRestored;

    /// <summary>
    /// What every key and channel of this deployment starts with: from its database and its
    /// JWT_SECRET_KEY (through the key's name), so two deployments sharing a Redis never meet even
    /// if their databases have the same name on different servers.
    /// </summary>
    public string Prefix => _prefix.Value;

    private readonly Lazy<string> _prefix = new(() =>
        "email-monitor:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(root.Key.KeyId + "\n" + DeploymentName(storage.Value))))[..16] + ":");

    public RedisChannel Channel(string name) => RedisChannel.Literal(Prefix + name);

    public RedisKey Key(string name) => Prefix + name;

    /// <summary>The connection (it may not be up yet); null without REDIS_URL.</summary>
    public async Task<ConnectionMultiplexer?> GetAsync()
    {
        if (!Configured)
        {
            return null;
        }

        if (_multiplexer is { } open)
        {
            return open;
        }

        await _opening.WaitAsync();
        try
        {
            if (_multiplexer is null)
            {
                var settings = RedisUrl.Parse(options.Value.RedisUrl).Options!;
                settings.ClientName = "email-monitor-" + options.Value.ResolvedInstanceId;
                _multiplexer = await ConnectionMultiplexer.ConnectAsync(settings);
                _multiplexer.ConnectionFailed += (_, e) => logger.RedisConnectionLost(e.FailureType.ToString());
                _multiplexer.ConnectionRestored += (_, e) =>
                {
                    logger.RedisConnectionRestored();
                    if (e.ConnectionType == ConnectionType.Subscription)
                    {
                        SubscriptionsRestored?.Invoke();
                    }
                };
            }

            return _multiplexer;
        }
        finally
        {
            _opening.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is { } multiplexer)
        {
            await multiplexer.CloseAsync(allowCommandsToComplete: false);
            multiplexer.Dispose();
        }

        _opening.Dispose();
    }

    // Instances of one deployment share the database; the name of its file or server tells it apart.
    private static string DeploymentName(StorageOptions storage) =>
        storage.DatabaseUrl.Length > 0 && Storage.Postgres.PostgresUrl.Parse(storage.DatabaseUrl).Url is { } url ? url.Description : storage.DatabasePath;
}
