using EmailMonitor.Mail;
using EmailMonitor.Mailboxes;
using EmailMonitor.Storage;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Cli;

/// <summary>
/// <c>--test-email</c>: reaches every configured mailbox and folder step by step and prints what
/// each step found, or which one failed and why. Never prints a password.
/// </summary>
internal static class TestEmailCommand
{
    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptions<MailOptions>>().Value;
        var mailboxes = new List<MailboxDefinition> { options.ToDefaultMailbox() };
        // Those administrators added live in the database; --test-email never creates one.
        var database = services.GetRequiredService<Database>();
        if (database.Path is null || File.Exists(database.Path))
        {
            await database.MigrateAsync(cancellationToken);
            mailboxes.AddRange(await services.GetRequiredService<MailboxStore>().ListAsync(cancellationToken));
        }

        var failed = 0;
        var logins = services.GetRequiredService<MailSourceFactory>();
        foreach (var mailbox in mailboxes)
        {
            // A refresh token the provider rotates here must be kept, or the service's next refresh fails.
            var login = logins.Login(mailbox, (_, credential, token) => services.GetRequiredService<MailboxStore>().SaveCredentialAsync(mailbox with { Credential = credential }, token));
            if (!await CheckAsync(login, options.CommandTimeout, output, cancellationToken))
            {
                failed++;
            }
        }

        await output.WriteLineAsync(failed == 0 ? "Result: every step succeeded" : $"Result: {failed} of {mailboxes.Count} mailboxes failed");
        return failed == 0 ? CommandLine.Success : CommandLine.RuntimeFailure;
    }

    /// <summary>Runs the steps for one mailbox, printing one block; true when all succeeded.</summary>
    public static async Task<bool> CheckAsync(MailLogin login, TimeSpan timeout, TextWriter output, CancellationToken cancellationToken)
    {
        var mailbox = login.Mailbox;
        await output.WriteLineAsync(
            $"Mailbox {mailbox.Name}: {mailbox.Username} at {mailbox.Server}:{mailbox.Port} ({MailboxText.Of(mailbox.Protocol)}, {MailboxText.Of(mailbox.Security)}){(mailbox.Paused ? ", paused" : string.Empty)}");
        var result = await MailboxCheck.RunAsync(login, timeout, cancellationToken);
        foreach (var step in result.Steps)
        {
            Row(output, step.Step, step.Detail);
        }

        if (result.FailedStep is { } failed)
        {
            await output.WriteLineAsync($"  Result: the {failed} step failed");
        }

        return result.Ok;
    }

    private static void Row(TextWriter output, string step, string text) =>
        output.WriteLine($"  {step,-16} {text}");
}
