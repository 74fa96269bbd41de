using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;

namespace EmailMonitor.Mail;

/// <summary>
/// The steps of reaching one mailbox (DNS, connect, TLS, authentication, then IDLE or UIDL and
/// each folder), each with what it found, stopping at the first that fails. <c>--test-email</c>
/// prints them; the dashboard's "test connection" shows them. Never holds a secret.
/// </summary>
internal static class MailboxCheck
{
    public static async Task<MailboxCheckResult> RunAsync(MailLogin login, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var steps = new List<CheckStep>();
        void Done(ConnectStep step, string found) => steps.Add(new CheckStep(MailConnectException.Describe(step), true, $"ok, {found}"));
        try
        {
            if (login.Mailbox.Protocol == MailProtocol.Pop3)
            {
                using var client = await MailConnector.ConnectPop3Async(login, new NullProtocolLogger(), timeout, Done, cancellationToken);
                if (!client.Capabilities.HasFlag(Pop3Capabilities.UIDL))
                {
                    throw new MailConnectException(ConnectStep.Folder, "the server does not support UIDL, so new mail cannot be told from old; use IMAP");
                }

                steps.Add(new CheckStep("UIDL", true, "supported: polled every check interval"));
                steps.Add(new CheckStep($"folder {MailboxDefinition.Pop3Folder}", true, $"ok, {client.Count} messages"));
                await client.DisconnectAsync(quit: true, cancellationToken);
            }
            else
            {
                using var client = await MailConnector.ConnectImapAsync(login, new NullProtocolLogger(), timeout, Done, cancellationToken);
                steps.Add(new CheckStep("IDLE", true, client.Capabilities.HasFlag(ImapCapabilities.Idle) ? "supported" : "not supported: polled every check interval"));
                if (login.Mailbox.Folders.Count > 1)
                {
                    steps.Add(new CheckStep("NOTIFY", true, client.Capabilities.HasFlag(ImapCapabilities.Notify)
                        ? "supported: all folders share one connection"
                        : "not supported: one connection per folder, within the budget"));
                }

                foreach (var name in login.Mailbox.Folders)
                {
                    var folder = await MailConnector.OpenImapFolderAsync(client, name, cancellationToken);
                    steps.Add(new CheckStep($"folder {name}", true, $"ok, {folder.Count} messages, UIDVALIDITY {folder.UidValidity}"));
                    await folder.CloseAsync(expunge: false, cancellationToken);
                }

                await client.DisconnectAsync(quit: true, cancellationToken);
            }

            return new MailboxCheckResult(true, null, steps);
        }
        catch (MailConnectException ex)
        {
            var step = MailConnectException.Describe(ex.Step);
            steps.Add(new CheckStep(step, false, $"FAILED: {ex.Message}"));
            return new MailboxCheckResult(false, step, steps);
        }
        catch (Exception ex) when (ex is ProtocolException or CommandException or IOException or TimeoutException)
        {
            // Reached and logged in, then the session broke: the mailbox is not usable as it is.
            steps.Add(new CheckStep("session", false, $"FAILED: {ex.GetType().Name}: {ex.Message}"));
            return new MailboxCheckResult(false, "session", steps);
        }
    }
}

/// <summary>One step of a <see cref="MailboxCheck"/>: its name, whether it worked, and what it found or why it failed.</summary>
internal sealed record CheckStep(string Step, bool Ok, string Detail);

/// <summary>A <see cref="MailboxCheck"/>'s outcome: <see cref="FailedStep"/> names the step that failed, if one did.</summary>
internal sealed record MailboxCheckResult(bool Ok, string? FailedStep, IReadOnlyList<CheckStep> Steps);
