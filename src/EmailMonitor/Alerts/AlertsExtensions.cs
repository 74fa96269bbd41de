using EmailMonitor.Configuration;

namespace EmailMonitor.Alerts;

internal static class AlertsExtensions
{
    public static IHostApplicationBuilder AddAlerts(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<AlertOptions, AlertOptionsValidator>(AlertOptions.Section);
        builder.Services.AddSingleton<AlertStore>();
        builder.Services.AddSingleton<AlertMailer>();
        builder.Services.AddSingleton<AlertSender>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AlertSender>());
        builder.Services.AddHostedService<AlertEnqueuer>();
        return builder;
    }
}
