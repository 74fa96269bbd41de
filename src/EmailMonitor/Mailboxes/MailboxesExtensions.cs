using EmailMonitor.Configuration;

namespace EmailMonitor.Mailboxes;

internal static class MailboxesExtensions
{
    public static IHostApplicationBuilder AddMailboxes(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<MailboxesOptions, MailboxesOptionsValidator>(MailboxesOptions.Section);
        builder.Services.AddSingleton<CredentialVault>();
        builder.Services.AddSingleton<MailboxStore>();
        builder.Services.AddSingleton<MailboxRegistry>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MailboxRegistry>());
        return builder;
    }
}
