using System.Threading.Channels;
using EmailMonitor.Observability;
using EmailMonitor.Pipeline;
using EmailMonitor.Storage;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Mail;

/// <summary>
/// Makes what watches one mailbox: its login (with one OAuth2 token source for all its sessions)
/// and its sources: one for a POP3 maildrop, one IDLE connection for a single IMAP folder, and for
/// several folders one source that shares a connection where the server has NOTIFY.
/// </summary>
internal sealed class MailSourceFactory(
    IOptions<MailOptions> options,
    ChannelWriter<IncomingEmail> output,
    EventStore store,
    MailboxStatusBoard board,
    MailProtocolLogs protocolLogs,
    ConnectGate connectGate,
    OAuth2Http oauth2Http,
    TimeProvider time,
    EmailTracing tracing,
    ILoggerFactory loggerFactory)
{
    private readonly MailSourceParts _parts = new(output, store, board, protocolLogs, connectGate, time, tracing, loggerFactory);

    // fence: the token of the lease the mailbox is watched under (0 without leases), carried by every checkpoint.
    public IReadOnlyList<IMailSource> Create(MailLogin login, long fence)
    {
        var mailbox = login.Mailbox;
        var parts = _parts with { Fence = fence };
        return (mailbox.Protocol, mailbox.Folders.Count) switch
        {
            (MailProtocol.Pop3, _) => [new Pop3MailboxSource(login, options.Value, parts)],
            (_, 1) => [new ImapFolderSource(login, mailbox.Folders[0], options.Value, parts)],
            _ => [new ImapMailboxSource(login, mailbox.Folders, pollOnly: false, options.Value, parts)],
        };
    }

    /// <summary>
    /// How a mailbox logs in; <paramref name="saveRotated"/> stores a refresh token its OAuth2
    /// provider rotated, as a change from the credential last stored (the first argument).
    /// </summary>
    public MailLogin Login(MailboxDefinition mailbox, Func<OAuth2Credential, OAuth2Credential, CancellationToken, Task> saveRotated) =>
        new(mailbox, mailbox.Credential is OAuth2Credential credential
            ? new OAuth2TokenSource(mailbox.Name, credential, oauth2Http.Client, saveRotated, time, loggerFactory.CreateLogger<OAuth2TokenSource>())
            : null);
}
