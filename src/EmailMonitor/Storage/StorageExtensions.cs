using EmailMonitor.Configuration;
using System.Threading.Channels;
using EmailMonitor.Pipeline;
using EmailMonitor.Observability;
using EmailMonitor.Search;

namespace EmailMonitor.Storage;

internal static class StorageExtensions
{
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<StorageOptions, StorageOptionsValidator>(StorageOptions.Section);
        builder.Services.AddSingleton<Database>();
        builder.Services.AddSingleton<EventStore>();
        builder.Services.AddSingleton<CommitLog>();
        // Wait, not drop: a full queue slows fetching from the mail server; no email is discarded.
        builder.Services.AddBoundedChannel<AnalysedEmail>(capacity: 256, BoundedChannelFullMode.Wait);
        builder.Services.AddHostedService<EventWriter>();
        builder.Services.AddHostedService<RetentionService>();
        builder.Services.AddHostedService<SearchBackfill>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [HealthTags.Ready]);
        return builder;
    }
}
