namespace EmailMonitor.Mail;

internal enum FolderState
{
    Starting,
    Connecting,
    Watching,
    Reconnecting,
    Stopped,
}
