namespace EmailMonitor.Webhooks;

internal static class WebhookExtensions
{
    public static IHostApplicationBuilder AddWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section);
        builder.Services.AddSingleton<WebhookStore>();
        builder.Services.AddSingleton<WebhookClient>();
        builder.Services.AddSingleton<WebhookDispatcher>();
        builder.Services.AddSingleton<WebhookTestSend>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WebhookDispatcher>());
        builder.Services.AddHostedService<WebhookEnqueuer>();
        return builder;
    }
}
