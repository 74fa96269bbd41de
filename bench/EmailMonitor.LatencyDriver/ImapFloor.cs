using System.Globalization;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;

namespace EmailMonitor.LatencyDriver;

/// <summary>
/// The floor for holding many mailboxes: a plain MailKit client per mailbox, logged in, its INBOX
/// examined, NOTIFY set for the other folders and IDLE renewed like the monitor's, and nothing
/// else. Runs as its own process (<c>--imap-floor PORT MAILBOXES FOLDERS</c>) so its memory and
/// CPU are measured like the monitor's; prints its resident memory before connecting, then "ready".
/// </summary>
internal static class ImapFloor
{
    public static async Task RunAsync(int port, int mailboxes, int folders)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"before {ProcessSample.Read(Environment.ProcessId).ResidentKilobytes}"));
        var clients = new List<ImapClient>();
        using var slots = new SemaphoreSlim(8);
        await Task.WhenAll(Enumerable.Range(1, mailboxes).Select(async i =>
        {
            var user = ScaleRun.UserName(i);
            await slots.WaitAsync();
            ImapClient client;
            try
            {
                client = new ImapClient();
                await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
                await client.AuthenticateAsync(user, BenchEnvironment.PasswordOf(user));
                await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
                if (folders > 1)
                {
                    var others = new List<IMailFolder>();
                    for (var f = 2; f <= folders; f++)
                    {
                        others.Add(await client.GetFolderAsync(ScaleRun.FolderName(f)));
                    }

                    await client.NotifyAsync(false, [
                        new ImapEventGroup(ImapMailboxFilter.Selected, new ImapEvent.MessageNew(), ImapEvent.MessageExpunge),
                        new ImapEventGroup(new ImapMailboxFilter.Mailboxes(others), new ImapEvent.MessageNew(), ImapEvent.MessageExpunge),
                    ]);
                }
            }
            finally
            {
                slots.Release();
            }

            lock (clients)
            {
                clients.Add(client);
            }
        }));

        Console.WriteLine("ready");
        await Task.WhenAll(clients.Select(IdleForeverAsync));
    }

    private static async Task IdleForeverAsync(ImapClient client)
    {
        while (true)
        {
            using var done = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            await client.IdleAsync(done.Token);
        }
    }
}
