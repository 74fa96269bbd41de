using EmailMonitor.Auth;
using EmailMonitor.Mail;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Api;

/// <summary>
/// <c>GET /api/admin/mailboxes</c>: each watched mailbox (never its password) and, per folder,
/// its state, last UID, last error and last connection. Administrators only.
/// </summary>
internal static class MailboxesApi
{
    public static IEndpointRouteBuilder MapMailboxesApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/admin/mailboxes", List)
            .RequireAuthorization(AuthPolicies.Admin)
            .WithTags("Administration")
            .WithSummary("Each mailbox and the state of each of its folders");
        return endpoints;
    }

    private static IReadOnlyList<MailboxResponse> List(IOptions<MailOptions> options, MailboxStatusBoard board)
    {
        var mailbox = options.Value.ToDefaultMailbox();
        var folders = board.Snapshot()
            .Where(status => status.Folder.Mailbox == mailbox.Name)
            .Select(status => new FolderResponse(
                status.Folder.Folder,
                status.State.ToString().ToLowerInvariant(),
                status.IdleSupported,
                status.LastUid,
                status.LastError,
                status.LastConnectedAt,
                status.NextAttemptAt))
            .ToList();
        return
        [
            new MailboxResponse(
                mailbox.Name,
                options.Value.Protocol.ToString().ToLowerInvariant(),
                mailbox.Server,
                mailbox.Port,
                mailbox.Security.ToString().ToLowerInvariant(),
                mailbox.Username,
                folders),
        ];
    }

    internal sealed record MailboxResponse(
        string Name, string Protocol, string Server, int Port, string Security, string Username, IReadOnlyList<FolderResponse> Folders);

    internal sealed record FolderResponse(
        string Folder, string State, bool Idle, uint LastUid, string? LastError, DateTimeOffset? LastConnectedAt, DateTimeOffset? NextAttemptAt);
}
