using EmailMonitor.Auth;

namespace EmailMonitor.Api;

/// <summary><c>/api/admin/users</c>: accounts and their roles. Administrators only.</summary>
internal static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/admin/users").RequireAuthorization(AuthPolicies.Admin).WithTags("Administration");
        group.MapGet("/", (UserAdministration users, CancellationToken cancellationToken) => users.ListAsync(cancellationToken));
        group.MapPost("/", CreateAsync);
        group.MapPatch("/{username}", UpdateAsync);
        group.MapDelete("/{username}", DeleteAsync);
        return endpoints;
    }

    private static async Task<IResult> CreateAsync(CreateUserRequest request, HttpContext context, UserAdministration users, CancellationToken cancellationToken)
    {
        var (outcome, problem) = await users.CreateAsync(request.Username, request.Password, request.Role, By(context), cancellationToken);
        return outcome == UserChange.Done
            ? Results.Created($"/api/admin/users/{request.Username}", (await users.ListAsync(cancellationToken)).Single(u => string.Equals(u.Username, request.Username, StringComparison.OrdinalIgnoreCase)))
            : Refusal(outcome, problem);
    }

    private static async Task<IResult> UpdateAsync(string username, UpdateUserRequest request, HttpContext context, UserAdministration users, CancellationToken cancellationToken)
    {
        var (outcome, problem) = await users.UpdateAsync(username, request.Role, request.Password, request.Disabled, By(context), cancellationToken);
        return outcome == UserChange.Done
            ? Results.Ok((await users.ListAsync(cancellationToken)).Single(u => string.Equals(u.Username, username, StringComparison.OrdinalIgnoreCase)))
            : Refusal(outcome, problem);
    }

    private static async Task<IResult> DeleteAsync(string username, HttpContext context, UserAdministration users, CancellationToken cancellationToken)
    {
        var outcome = await users.DeleteAsync(username, By(context), cancellationToken);
        return outcome == UserChange.Done ? Results.NoContent() : Refusal(outcome, null);
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
