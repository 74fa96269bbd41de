using System.Diagnostics;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;

namespace EmailMonitor.Tests.Support;

/// <summary>
/// A real Dovecot (Debian's dovecot-imapd/pop3d) on free loopback ports with its own config and
/// directory, run through scripts/dovecot like the demo. Stopping and restarting keep its mail.
/// </summary>
internal sealed class DovecotServer : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private Process? _process;

    private DovecotServer(string user, string password)
    {
        User = user;
        Password = password;
        ImapPort = FreePort.Next();
        Pop3Port = FreePort.Next();
    }

    public string User { get; }

    public string Password { get; }

    public int ImapPort { get; }

    public int Pop3Port { get; }

    public string Directory => _directory.Path;

    /// <param name="extraConfig">Dovecot settings appended to the generated config, e.g. to hide IDLE.</param>
    /// <param name="oauth2IntrospectionUrl">Also accept XOAUTH2 and OAUTHBEARER, checking tokens there (see ../shared/notes/dovecot-oauth2.md).</param>
    public static async Task<DovecotServer> StartAsync(string user = "monitor", string? extraConfig = null, string? oauth2IntrospectionUrl = null)
    {
        var server = new DovecotServer(user, "imap-" + Guid.NewGuid().ToString("N")[..12]);
        await RunScriptAsync("config", server.Directory, server.ImapPort.ToString(), server.Pop3Port.ToString(), user, server.Password);
        if (extraConfig is not null)
        {
            await File.AppendAllTextAsync(Path.Combine(server.Directory, "dovecot.conf"), "\n" + extraConfig + "\n");
        }

        if (oauth2IntrospectionUrl is not null)
        {
            var settings = Path.Combine(server.Directory, "oauth2.conf");
            await File.WriteAllTextAsync(settings, $"""
                introspection_mode = post
                introspection_url = {oauth2IntrospectionUrl}
                username_attribute = username
                active_attribute = active
                active_value = true

                """);
            File.SetUnixFileMode(settings, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            await File.AppendAllTextAsync(Path.Combine(server.Directory, "dovecot.conf"), $$"""

                auth_mechanisms = plain login xoauth2 oauthbearer
                passdb {
                  driver = oauth2
                  mechanisms = xoauth2 oauthbearer
                  args = {{settings}}
                }

                """);
        }

        await server.RunAsync();
        return server;
    }

    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        // SIGTERM: Dovecot's master stops its children and exits.
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(timeout.Token);
        _process.Dispose();
        _process = null;
        await WaitUntilPortClosedAsync();
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await RunAsync();
    }

    /// <summary>Adds another account (Dovecot reads its passwd-file again when it changes); returns its password.</summary>
    public async Task<string> AddUserAsync(string user)
    {
        var password = "pw-" + Guid.NewGuid().ToString("N")[..12];
        await File.AppendAllTextAsync(Path.Combine(Directory, "users"), $"{user}:{{PLAIN}}{password}\n");
        return password;
    }

    /// <summary>How many IMAP sessions the user has open now, as doveadm who counts them.</summary>
    public async Task<int> ImapSessionsAsync(string? user = null)
    {
        using var process = Process.Start(new ProcessStartInfo("doveadm", ["-c", Path.Combine(Directory, "dovecot.conf"), "-f", "flow", "who", user ?? User])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        // One line per user and protocol: "username=monitor #=3 proto=imap (pids)=(…) (ips)=(…)".
        return output.Split('\n')
            .Where(line => line.Contains("proto=imap", StringComparison.Ordinal))
            .Select(line => System.Text.RegularExpressions.Regex.Match(line, @"#=(\d+)"))
            .Where(match => match.Success)
            .Sum(match => int.Parse(match.Groups[1].Value));
    }

    /// <summary>Ends every IMAP session of the user, as an administrator would with doveadm kick.</summary>
    public Task KickAsync(string? user = null) => RunScriptAsync("kick", Directory, user ?? User);

    /// <summary>Writes a message into the INBOX Maildir as an MTA would; works while Dovecot is stopped. Returns its file.</summary>
    public async Task<string> DropAsync(MimeMessage message)
    {
        using var content = new MemoryStream();
        await message.WriteToAsync(content);
        return await DropAsync(content.ToArray());
    }

    /// <summary>Delivers bytes exactly as given, however broken: nothing re-serializes them on the way.</summary>
    public async Task<string> DropAsync(byte[] message)
    {
        var incoming = Path.Combine(Directory, "mail", User, "Maildir", "new");
        var before = System.IO.Directory.GetFiles(incoming).ToHashSet();
        await RunScriptAsync(message, "drop", Directory, User);
        return System.IO.Directory.GetFiles(incoming).Single(file => !before.Contains(file));
    }

    /// <summary>Appends messages over IMAP in one session, as a mail client or MTA would.</summary>
    public async Task<IReadOnlyList<uint>> AppendAsync(IEnumerable<MimeMessage> messages, string folder = "INBOX", string? user = null, string? password = null)
    {
        using var client = await ConnectAsync(user, password);
        var target = await client.GetFolderAsync(folder);
        var uids = new List<uint>();
        foreach (var message in messages)
        {
            var uid = await target.AppendAsync(message, MessageFlags.None);
            uids.Add(uid?.Id ?? 0);
        }

        await client.DisconnectAsync(true);
        return uids;
    }

    public async Task<uint> AppendAsync(MimeMessage message, string folder = "INBOX", string? user = null, string? password = null) =>
        (await AppendAsync([message], folder, user, password))[0];

    /// <summary>Deletes and expunges messages by UID, as a user's mail client would.</summary>
    public async Task DeleteAsync(IEnumerable<uint> uids, string folder = "INBOX")
    {
        using var client = await ConnectAsync();
        var target = await client.GetFolderAsync(folder);
        await target.OpenAsync(FolderAccess.ReadWrite);
        var ids = uids.Select(uid => new UniqueId(uid)).ToList();
        await target.AddFlagsAsync(ids, MessageFlags.Deleted, silent: true);
        await target.ExpungeAsync(ids);
        await client.DisconnectAsync(true);
    }

    /// <summary>How many messages a folder holds now.</summary>
    public async Task<int> CountAsync(string folder = "INBOX")
    {
        using var client = await ConnectAsync();
        var target = await client.GetFolderAsync(folder);
        await target.OpenAsync(FolderAccess.ReadOnly);
        var count = target.Count;
        await client.DisconnectAsync(true);
        return count;
    }

    public async Task CreateFolderAsync(string name, string? user = null, string? password = null)
    {
        using var client = await ConnectAsync(user, password);
        var root = client.GetFolder(client.PersonalNamespaces[0]);
        await root.CreateAsync(name, isMessageFolder: true);
        await client.DisconnectAsync(true);
    }

    public async Task DeleteFolderAsync(string name)
    {
        using var client = await ConnectAsync();
        var folder = await client.GetFolderAsync(name);
        await folder.DeleteAsync();
        await client.DisconnectAsync(true);
    }

    public async Task<ImapClient> ConnectAsync(string? user = null, string? password = null)
    {
        var client = new ImapClient(TestOutput.ProtocolLog("[test-client]"));
        await client.ConnectAsync("127.0.0.1", ImapPort, SecureSocketOptions.None);
        await client.AuthenticateAsync(user ?? User, password ?? Password);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _directory.Dispose();
        }
    }

    private async Task RunAsync()
    {
        _process = Process.Start(new ProcessStartInfo(RepositoryPaths.DovecotScript, ["run", Directory]))!;
        await RunScriptAsync("wait", Directory, ImapPort.ToString());
    }

    private async Task WaitUntilPortClosedAsync()
    {
        for (var i = 0; i < 100 && await FreePort.IsListeningAsync(ImapPort); i++)
        {
            await Task.Delay(50);
        }
    }

    private static Task RunScriptAsync(params string[] arguments) => RunScriptAsync(null, arguments);

    private static async Task RunScriptAsync(byte[]? input, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(RepositoryPaths.DovecotScript, arguments)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        if (input is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(input);
            process.StandardInput.Close();
        }

        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/dovecot {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}{await output}");
        }
    }
}
