using System.Threading.Channels;
using EmailMonitor.Pipeline;
using EmailMonitor.Storage;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Mail;

/// <summary>Runs one source per watched folder; when all have stopped, closes the queue into analysis.</summary>
internal sealed class MailSupervisor(
    IOptions<MailOptions> options,
    ChannelWriter<IncomingEmail> output,
    EventStore store,
    MailboxStatusBoard board,
    MailProtocolLogs protocolLogs,
    TimeProvider time,
    ILoggerFactory loggerFactory) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var logger = loggerFactory.CreateLogger<MailSupervisor>();
        var mailbox = options.Value.ToDefaultMailbox();
        List<IMailSource> sources = mailbox.Protocol == MailProtocol.Pop3
            ? [new Pop3MailboxSource(mailbox, options.Value, output, store, board, protocolLogs, time, loggerFactory.CreateLogger<Pop3MailboxSource>())]
            : [.. mailbox.Folders.Select(folder => new ImapFolderSource(
                mailbox, folder, options.Value, output, store, board, protocolLogs, time, loggerFactory.CreateLogger<ImapFolderSource>()))];

        if (sources.Count == 0)
        {
            logger.NothingToWatch();
        }

        try
        {
            await Task.WhenAll(sources.Select(source => source.RunAsync(stoppingToken)));
        }
        finally
        {
            output.TryComplete();
        }
    }
}
