using EmailMonitor.Configuration;
using EmailMonitor.Realtime;
using EmailMonitor.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EmailMonitor.Cluster;

internal static class ClusterExtensions
{
    public static IHostApplicationBuilder AddCluster(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ClusterOptions, ClusterOptionsValidator>(ClusterOptions.Section);
        // What travels through Redis runs only with Redis: without it, its services would start,
        // find no connection and end, having loaded the Redis client for nothing.
        var withRedis = !string.IsNullOrEmpty(builder.Configuration[$"{ClusterOptions.Section}:{nameof(ClusterOptions.RedisUrl)}"]);
        builder.Services.AddSingleton<RedisConnection>();
        builder.Services.AddSingleton<ClusterMessages>();
        if (withRedis)
        {
            builder.Services.AddHostedService<CommitRelay>();
        }

        builder.Services.AddHostedService<CommitLogPoller>();
        builder.Services.AddSingleton<MailboxLeases>();
        builder.Services.AddSingleton<MailboxOwners>();
        builder.Services.AddHostedService<LeaseKeeper>();
        builder.Services.AddSingleton<MissedDecisions>();
        if (withRedis)
        {
            builder.Services.AddHostedService<ClusterBus>();
            builder.Services.AddSingleton<RedisBudget>();
            builder.Services.Replace(ServiceDescriptor.Singleton<ISharedBudget>(services => services.GetRequiredService<RedisBudget>()));
            builder.Services.AddHostedService(services => services.GetRequiredService<RedisBudget>());
            builder.Services.AddSingleton<RedisConnectionCounts>();
            builder.Services.Replace(ServiceDescriptor.Singleton<IConnectionsElsewhere>(services => services.GetRequiredService<RedisConnectionCounts>()));
            builder.Services.AddHostedService(services => services.GetRequiredService<RedisConnectionCounts>());
        }

        return builder;
    }
}
