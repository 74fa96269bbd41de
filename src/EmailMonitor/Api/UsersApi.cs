using System.Text.Json;
using EmailMonitor.Auth;
using EmailMonitor.Mailboxes;

namespace EmailMonitor.Api;

/// <summary><c>/api/admin/users</c>: accounts and their roles. Administrators only.</summary>
internal static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/admin/users").RequireAuthorization(AuthPolicies.Admin).WithTags("Administration");
        group.MapGet("/", (UserAdministration users, CancellationToken cancellationToken) => users.ListAsync(cancellationToken))
            .WithSummary("Every account, without password hashes");
        group.MapPost("/", CreateAsync)
            .WithSummary("Create an account: {username, password, role}, role admin or viewer; optional mailboxes (names the user sees)")
            .Produces<UserSummary>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPatch("/{username}", UpdateAsync)
            .WithSummary("Change role, password, disabled or mailboxes (a list of names, or null for all); a new password or disabling ends the user's logins")
            .Produces<UserSummary>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{username}", DeleteAsync)
            .WithSummary("Remove an account and end its logins")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return endpoints;
    }

    private static async Task<IResult> CreateAsync(
        CreateUserRequest request, HttpContext context, UserAdministration users, MailboxRegistry mailboxes, CancellationToken cancellationToken)
    {
        var (visible, invalid) = ReadMailboxes(request.Mailboxes, mailboxes);
        if (invalid is not null)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: invalid);
        }

        var (outcome, problem) = await users.CreateAsync(request.Username, request.Password, request.Role, visible, By(context), cancellationToken);
        return outcome == UserChange.Done
            ? Results.Created($"/api/admin/users/{request.Username}", await users.FindAsync(request.Username!, cancellationToken))
            : Refusal(outcome, problem);
    }

    private static async Task<IResult> UpdateAsync(
        string username, UpdateUserRequest request, HttpContext context, UserAdministration users, MailboxRegistry mailboxes, CancellationToken cancellationToken)
    {
        var (visible, invalid) = ReadMailboxes(request.Mailboxes, mailboxes);
        if (invalid is not null)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: invalid);
        }

        var (outcome, problem) = await users.UpdateAsync(username, request.Role, request.Password, request.Disabled, visible, By(context), cancellationToken);
        return outcome == UserChange.Done
            ? Results.Ok(await users.FindAsync(username, cancellationToken))
            : Refusal(outcome, problem);
    }

    private static async Task<IResult> DeleteAsync(string username, HttpContext context, UserAdministration users, CancellationToken cancellationToken)
    {
        var outcome = await users.DeleteAsync(username, By(context), cancellationToken);
        return outcome == UserChange.Done ? Results.NoContent() : Refusal(outcome, null);
    }

    // Absent: no change. null: every mailbox. A list: those mailboxes, each of which must exist.
    private static (MailboxList? List, string? Problem) ReadMailboxes(JsonElement value, MailboxRegistry mailboxes)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Undefined:
                return (null, null);
            case JsonValueKind.Null:
                return (new MailboxList(null), null);
            case JsonValueKind.Array when value.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String) && value.GetArrayLength() <= 1000:
                var names = value.EnumerateArray().Select(item => item.GetString()!).Distinct(StringComparer.Ordinal).ToList();
                return names.FirstOrDefault(name => mailboxes.Find(name) is null) is { } unknown
                    ? (null, $"'mailboxes': no mailbox is named '{(unknown.Length > 64 ? unknown[..64] + "…" : unknown)}'.")
                    : (new MailboxList(names), null);
            default:
                return (null, "'mailboxes' must be a list of mailbox names, or null for all.");
        }
    }

    private static AuditContext By(HttpContext context) => new(context.Connection.RemoteIpAddress, context.User.Identity?.Name);

    private static IResult Refusal(UserChange outcome, string? problem) => outcome switch
    {
        UserChange.NotFound => Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: "No user has this name."),
        UserChange.Exists => Results.Problem(statusCode: StatusCodes.Status409Conflict, detail: problem),
        UserChange.LastAdministrator => Results.Problem(
            statusCode: StatusCodes.Status409Conflict,
            detail: "This is the last enabled administrator; make another administrator first."),
        _ => Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: problem),
    };
}
