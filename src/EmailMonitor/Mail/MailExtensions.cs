using EmailMonitor.Observability;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Mail;

internal static class MailExtensions
{
    public static IHostApplicationBuilder AddMail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MailOptions>().BindConfiguration(MailOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<MailOptions>, MailOptionsValidator>();
        builder.Services.AddSingleton<MailboxStatusBoard>();
        builder.Services.TryAddSingleton(new MailProtocolLogs());
        builder.Services.AddHostedService<MailSupervisor>();
        builder.Services.AddHealthChecks().AddCheck<MailboxHealthCheck>("mailboxes", tags: [HealthTags.Ready]);
        return builder;
    }
}
