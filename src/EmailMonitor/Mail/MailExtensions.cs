using EmailMonitor.Configuration;
using EmailMonitor.Observability;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Mail;

internal static class MailExtensions
{
    public static IHostApplicationBuilder AddMail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<MailOptions, MailOptionsValidator>(MailOptions.Section);
        builder.Services.AddSingleton<MailboxStatusBoard>();
        builder.Services.TryAddSingleton(new MailProtocolLogs());
        builder.Services.AddSingleton<MailSourceFactory>();
        builder.Services.AddSingleton<OAuth2Http>();
        builder.Services.AddSingleton(sp => new ConnectGate(sp.GetRequiredService<IOptions<MailOptions>>().Value.ConnectConcurrency));
        builder.Services.AddHealthChecks().AddCheck<MailboxHealthCheck>("mailboxes", tags: [HealthTags.Ready]);
        return builder;
    }
}
