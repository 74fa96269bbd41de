using EmailMonitor.Configuration;
using EmailMonitor.Observability;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EmailMonitor.Mail;

internal static class MailExtensions
{
    public static IHostApplicationBuilder AddMail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<MailOptions, MailOptionsValidator>(MailOptions.Section);
        builder.Services.AddSingleton<MailboxStatusBoard>();
        builder.Services.TryAddSingleton(new MailProtocolLogs());
        builder.Services.AddHostedService<MailSupervisor>();
        builder.Services.AddHealthChecks().AddCheck<MailboxHealthCheck>("mailboxes", tags: [HealthTags.Ready]);
        return builder;
    }
}
