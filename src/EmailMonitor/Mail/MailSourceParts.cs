using System.Threading.Channels;
using EmailMonitor.Observability;
using EmailMonitor.Pipeline;
using EmailMonitor.Storage;

namespace EmailMonitor.Mail;

/// <summary>What every mail source is made of, shared by all sources of the service.</summary>
internal sealed record MailSourceParts(
    ChannelWriter<IncomingEmail> Output,
    EventStore Store,
    MailboxStatusBoard Board,
    MailProtocolLogs ProtocolLogs,
    ConnectGate ConnectGate,
    TimeProvider Time,
    EmailTracing Tracing,
    ILoggerFactory LoggerFactory)
{
    /// <summary>The token of the lease the mailbox is watched under (0: no leases, one instance).</summary>
    public long Fence { get; init; }
}
