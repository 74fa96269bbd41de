using EmailMonitor.Pipeline;
using MailKit;

namespace EmailMonitor.Mail;

/// <summary>
/// Where each folder connection writes its IMAP protocol log. The service keeps none (server
/// lines carry message bodies, which never go to a log); tests pass a factory that writes a
/// redacted log to the test output.
/// </summary>
internal sealed class MailProtocolLogs(Func<FolderKey, IProtocolLogger>? factory = null)
{
    public IProtocolLogger Create(FolderKey folder) => factory?.Invoke(folder) ?? new NullProtocolLogger();
}
