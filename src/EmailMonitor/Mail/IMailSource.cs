namespace EmailMonitor.Mail;

/// <summary>
/// Watches one mailbox's folders (all or some of them) for one protocol: from their checkpoints
/// on, it hands every new message to analysis, reconnecting as needed, until cancelled.
/// </summary>
internal interface IMailSource
{
    Task RunAsync(CancellationToken cancellationToken);
}
