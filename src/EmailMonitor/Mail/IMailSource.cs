using EmailMonitor.Pipeline;

namespace EmailMonitor.Mail;

/// <summary>
/// One watched folder of one mailbox, for one protocol: from its checkpoint on, it hands every
/// new message to analysis, reconnecting as needed, until cancelled.
/// </summary>
internal interface IMailSource
{
    FolderKey Folder { get; }

    Task RunAsync(CancellationToken cancellationToken);
}
