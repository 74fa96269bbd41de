using EmailMonitor.Mail;
using EmailMonitor.Pipeline;

namespace EmailMonitor.Tests.Support;

/// <summary>Waits for the service's folders to be connected and watched, as /health/ready would show.</summary>
internal static class Watching
{
    public static async Task WaitAsync(ServiceHost service, string folder = "INBOX", TimeSpan? timeout = null)
    {
        var board = service.Get<MailboxStatusBoard>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (board.Get(new FolderKey("default", folder))?.State != FolderState.Watching)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Folder {folder} was not watched in time: {board.Get(new FolderKey("default", folder))}");
            }

            await Task.Delay(20);
        }
    }
}
