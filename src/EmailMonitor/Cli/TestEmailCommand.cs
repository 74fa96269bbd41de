using EmailMonitor.Mail;
using EmailMonitor.Mailboxes;
using EmailMonitor.Storage;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
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
        if (File.Exists(database.Path))
        {
            await database.MigrateAsync(cancellationToken);
            mailboxes.AddRange(await services.GetRequiredService<MailboxStore>().ListAsync(cancellationToken));
        }

        var failed = 0;
        var logins = services.GetRequiredService<MailSourceFactory>();
        foreach (var mailbox in mailboxes)
        {
            // A refresh token the provider rotates here must be kept, or the service's next refresh fails.
            var login = logins.Login(mailbox, (credential, token) => services.GetRequiredService<MailboxStore>().SaveCredentialAsync(mailbox with { Credential = credential }, token));
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
        try
        {
            if (mailbox.Protocol == MailProtocol.Pop3)
            {
                await CheckPop3Async(login, timeout, output, cancellationToken);
            }
            else
            {
                await CheckImapAsync(login, timeout, output, cancellationToken);
            }

            return true;
        }
        catch (MailConnectException ex)
        {
            Row(output, MailConnectException.Describe(ex.Step), $"FAILED: {ex.Message}");
            await output.WriteLineAsync($"  Result: the {MailConnectException.Describe(ex.Step)} step failed");
            return false;
        }
    }

    private static async Task CheckImapAsync(MailLogin login, TimeSpan timeout, TextWriter output, CancellationToken cancellationToken)
    {
        using var client = await MailConnector.ConnectImapAsync(
            login, new NullProtocolLogger(), timeout, (step, found) => Report(output, step, found), cancellationToken);
        Row(output, "IDLE", client.Capabilities.HasFlag(ImapCapabilities.Idle) ? "supported" : "not supported: polled every EMAIL_CHECK_INTERVAL");
        foreach (var name in login.Mailbox.Folders)
        {
            var folder = await MailConnector.OpenImapFolderAsync(client, name, cancellationToken);
            Row(output, $"folder {name}", $"ok, {folder.Count} messages, UIDVALIDITY {folder.UidValidity}");
            await folder.CloseAsync(expunge: false, cancellationToken);
        }

        await client.DisconnectAsync(quit: true, cancellationToken);
    }

    private static async Task CheckPop3Async(MailLogin login, TimeSpan timeout, TextWriter output, CancellationToken cancellationToken)
    {
        using var client = await MailConnector.ConnectPop3Async(
            login, new NullProtocolLogger(), timeout, (step, found) => Report(output, step, found), cancellationToken);
        if (!client.Capabilities.HasFlag(Pop3Capabilities.UIDL))
        {
            throw new MailConnectException(ConnectStep.Folder, "the server does not support UIDL, so new mail cannot be told from old; use IMAP");
        }

        Row(output, "UIDL", "supported: polled every EMAIL_CHECK_INTERVAL");
        Row(output, $"folder {MailboxDefinition.Pop3Folder}", $"ok, {client.Count} messages");
        await client.DisconnectAsync(quit: true, cancellationToken);
    }

    private static void Report(TextWriter output, ConnectStep step, string found) =>
        Row(output, MailConnectException.Describe(step), $"ok, {found}");

    private static void Row(TextWriter output, string step, string text) =>
        output.WriteLine($"  {step,-16} {text}");
}
