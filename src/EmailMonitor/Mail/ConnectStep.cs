namespace EmailMonitor.Mail;

/// <summary>The steps of reaching a mailbox folder, in order; a failure names the one that failed.</summary>
internal enum ConnectStep
{
    Dns,
    Connect,
    Tls,
    Authentication,
    Folder,
}
