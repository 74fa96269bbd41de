using EmailMonitor.Mail;
using MailKit;
using MailKit.Net.Imap;
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
        var mailbox = options.ToDefaultMailbox();
        await output.WriteLineAsync($"Mailbox {mailbox.Name}: {mailbox.Username} at {mailbox.Server}:{mailbox.Port} ({mailbox.Security.ToString().ToLowerInvariant()})");

        try
        {
            using var client = await ImapConnector.ConnectAsync(
                mailbox, new NullProtocolLogger(), options.CommandTimeout, (step, found) => Report(output, step, found), cancellationToken);
            Row(output, "IDLE", client.Capabilities.HasFlag(ImapCapabilities.Idle) ? "supported" : "not supported: polled every EMAIL_CHECK_INTERVAL");
            foreach (var name in mailbox.Folders)
            {
                var folder = await ImapConnector.OpenFolderAsync(client, name, cancellationToken);
                Row(output, $"folder {name}", $"ok, {folder.Count} messages, UIDVALIDITY {folder.UidValidity}");
                await folder.CloseAsync(expunge: false, cancellationToken);
            }

            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (MailConnectException ex)
        {
            Row(output, MailConnectException.Describe(ex.Step), $"FAILED: {ex.Message}");
            await output.WriteLineAsync($"Result: the {MailConnectException.Describe(ex.Step)} step failed");
            return CommandLine.RuntimeFailure;
        }

        await output.WriteLineAsync("Result: every step succeeded");
        return CommandLine.Success;
    }

    private static void Report(TextWriter output, ConnectStep step, string found) =>
        Row(output, MailConnectException.Describe(step), $"ok, {found}");

    private static void Row(TextWriter output, string step, string text) =>
        output.WriteLine($"  {step,-16} {text}");
}
