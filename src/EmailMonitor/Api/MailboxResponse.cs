using System.Text.Json.Serialization;
using EmailMonitor.Mail;
using EmailMonitor.Mailboxes;
using EmailMonitor.Pipeline;

namespace EmailMonitor.Api;

/// <summary>
/// A mailbox as administrators see it: its settings (secrets only as "is set"), its overall state
/// and the state of each folder.
/// </summary>
internal sealed record MailboxResponse(
    string Name,
    string Protocol,
    string Host,
    string Server,
    int Port,
    string Security,
    string Username,
    bool PasswordSet,
    [property: JsonPropertyName("oauth2")] MailboxResponse.OAuth2Response? OAuth2,
    IReadOnlyList<string> Folders,
    int CheckInterval,
    bool Paused,
    string State,
    string? LastError,
    DateTimeOffset? LastConnectedAt,
    IReadOnlyList<MailboxResponse.FolderResponse> FolderStates)
{
    // Folders this instance watches are on its board; those another instance watches, as that one reported them.
    public static MailboxResponse Of(MailboxDefinition mailbox, MailboxStatusBoard board, IReadOnlyDictionary<string, Cluster.MailboxWatcher> watchers)
    {
        var watcher = watchers.GetValueOrDefault(mailbox.Name);
        var owner = watcher?.Instance;
        var folders = mailbox.WatchedFolders
            .Select(name => Status(new FolderKey(mailbox.Name, name)) is { } status
                ? new FolderResponse(name, status.State.Name(), status.IdleSupported, status.LastUid, status.LastError, status.LastConnectedAt, status.NextAttemptAt, owner)
                : new FolderResponse(name, (mailbox.Paused ? FolderState.Paused : FolderState.Starting).Name(), false, 0, null, null, null, owner))
            .ToList();

        FolderStatus? Status(FolderKey folder) => board.Get(folder) is { State: not FolderState.Elsewhere } here
            ? here
            : watcher?.Folders.FirstOrDefault(f => f.Folder == folder) ?? board.Get(folder);
        var oauth2 = mailbox.Credential as OAuth2Credential;
        return new MailboxResponse(
            mailbox.Name,
            MailboxText.Of(mailbox.Protocol),
            mailbox.Server,
            mailbox.Server,
            mailbox.Port,
            MailboxText.Of(mailbox.Security),
            mailbox.Username,
            mailbox.Credential is PasswordCredential { Password.Length: > 0 },
            oauth2 is null ? null : new OAuth2Response(oauth2.TokenUrl, oauth2.ClientId, oauth2.Scope, oauth2.ClientSecret is { Length: > 0 }, oauth2.RefreshToken.Length > 0),
            mailbox.WatchedFolders,
            (int)mailbox.CheckInterval.TotalSeconds,
            mailbox.Paused,
            Overall(mailbox, folders),
            folders.Select(f => f.LastError).FirstOrDefault(e => e is not null),
            folders.Max(f => f.LastConnectedAt),
            folders);
    }

    // The worst folder speaks for the mailbox: a refused login first, since only a person can fix it.
    private static string Overall(MailboxDefinition mailbox, List<FolderResponse> folders)
    {
        if (mailbox.Paused)
        {
            return FolderState.Paused.Name();
        }

        FolderState[] worstFirst = [FolderState.AuthFailed, FolderState.Reconnecting, FolderState.Connecting, FolderState.Starting, FolderState.Stopped, FolderState.Elsewhere];
        return worstFirst.Select(s => s.Name()).FirstOrDefault(name => folders.Any(f => f.State == name)) ?? FolderState.Watching.Name();
    }

    internal sealed record OAuth2Response(string TokenUrl, string ClientId, string? Scope, bool ClientSecretSet, bool RefreshTokenSet);

    internal sealed record FolderResponse(
        string Folder, string State, bool Idle, uint LastUid, string? LastError, DateTimeOffset? LastConnectedAt, DateTimeOffset? NextAttemptAt, string? Owner);
}
