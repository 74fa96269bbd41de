using System.Threading.Channels;
using EmailMonitor.Analysis;
using EmailMonitor.Pipeline;

namespace EmailMonitor.Tests.Support;

/// <summary>
/// Puts analysed emails straight into storage's queue, for tests of what happens after analysis
/// (storage, fan-out, resume) that need no mail server.
/// </summary>
internal static class InjectedEvents
{
    private static int _nextUid;

    public static async Task<IReadOnlyList<string>> InjectAsync(
        ServiceHost service, int count, int textBytes = 0, string html = "", string mailbox = "default", Func<EmailEvent, EmailEvent>? shape = null)
    {
        var writer = service.Get<ChannelWriter<AnalysedEmail>>();
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var uid = (uint)Interlocked.Increment(ref _nextUid);
            var folder = new FolderKey(mailbox, "INJECTED");
            var email = new EmailEvent
            {
                Id = $"{mailbox}:INJECTED:1:{uid}",
                Subject = $"Injected {uid} to {mailbox}",
                ReceivedAt = DateTimeOffset.UtcNow.ToString("O"),
                Mailbox = folder.Mailbox,
                Folder = folder.Folder,
                TextContent = new string('x', textBytes),
                HtmlContent = html,
            };
            // No source of that name has a position, so these move no checkpoint.
            email = shape?.Invoke(email) ?? email;
            await writer.WriteAsync(new AnalysedEmail(email, new SourceCheckpoint(folder, 1, uid, new NoPosition())));
            ids.Add(email.Id);
        }

        return ids;
    }

    private sealed class NoPosition : ISourcePosition
    {
        public string Serialize() => string.Empty;
    }
}
