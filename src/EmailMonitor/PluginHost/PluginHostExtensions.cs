using EmailMonitor.Configuration;

namespace EmailMonitor.PluginHost;

internal static class PluginHostExtensions
{
    public static IHostApplicationBuilder AddPluginHost(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<PluginOptions, PluginOptionsValidator>(PluginOptions.Section);
        builder.Services.AddSingleton<PluginCatalog>();
        builder.Services.AddSingleton<PluginCalls>();
        builder.Services.AddSingleton<EmailJudges>();
        builder.Services.AddHostedService<StoredEventHandlers>();
        return builder;
    }
}
