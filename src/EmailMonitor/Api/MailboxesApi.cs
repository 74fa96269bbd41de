using System.Text.Json;
using EmailMonitor.Auth;
using EmailMonitor.Cluster;
using EmailMonitor.Mail;
using EmailMonitor.Mailboxes;
using EmailMonitor.Security;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Api;

/// <summary>
/// <c>/api/admin/mailboxes</c> (CONTRACT §5, §7): every mailbox with its settings and the live
/// state of each folder; add, change, pause and remove while the service runs. Credentials are
/// write-only: answers say whether one is set, never what it is. Administrators only.
/// </summary>
internal static class MailboxesApi
{
    public static IEndpointRouteBuilder MapMailboxesApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/admin/mailboxes").RequireAuthorization(AuthPolicies.Admin).WithTags("Administration");
        group.MapGet("/", List)
            .WithSummary("Each mailbox, its settings (never its secrets) and the state of each of its folders");
        group.MapGet("/{name}", Get)
            .WithSummary("One mailbox")
            .Produces<MailboxResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateAsync)
            .WithSummary("Add a mailbox: {name, protocol, host, port, security, username, password} or oauth2 instead of password; folders, check_interval, paused optional")
            .Accepts<JsonElement>("application/json")
            .Produces<MailboxResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPatch("/{name}", ChangeAsync)
            .WithSummary("Change any field but name; the mailbox reconnects with the new settings")
            .Accepts<JsonElement>("application/json")
            .Produces<MailboxResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{name}/test", TestAsync)
            .WithSummary("Run the --test-email steps for one mailbox: DNS, connect, TLS, authentication, then IDLE/NOTIFY or UIDL and each folder")
            .Produces<MailboxCheckResult>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{name}", RemoveAsync)
            .WithSummary("Stop watching a mailbox; its stored events stay. The default mailbox can only be paused")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return endpoints;
    }

    private static async Task<IReadOnlyList<MailboxResponse>> List(MailboxRegistry registry, MailboxStatusBoard board, MailboxOwners owners, CancellationToken cancellationToken)
    {
        var watchedBy = await owners.OwnersAsync(cancellationToken);
        return [.. registry.List().Select(mailbox => MailboxResponse.Of(mailbox, board, watchedBy))];
    }

    private static async Task<IResult> Get(string name, MailboxRegistry registry, MailboxStatusBoard board, MailboxOwners owners, CancellationToken cancellationToken) =>
        registry.Find(name) is { } mailbox ? Results.Ok(MailboxResponse.Of(mailbox, board, await owners.OwnersAsync(cancellationToken))) : NotFound();

    private static async Task<IResult> CreateAsync(
        HttpContext context, MailboxRegistry registry, MailboxStatusBoard board, MailboxOwners owners, IOptions<MailOptions> options, SecurityLog securityLog, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var body = await JsonBody.ReadAsync(context, errors, cancellationToken);
        var request = errors.Count == 0 ? MailboxRequest.Read(body, errors) : null;
        var mailbox = errors.Count == 0 ? MailboxRules.Apply(request!, null, options.Value.AllowInsecure, errors) : null;
        if (mailbox is null)
        {
            return Invalid(errors);
        }

        if (mailbox.Name == MailboxDefinition.DefaultName || !await registry.AddAsync(mailbox, cancellationToken))
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, detail: "A mailbox with this name exists.");
        }

        securityLog.MailboxChanged(context.Connection.RemoteIpAddress, context.User.Identity?.Name, $"added mailbox {mailbox}");
        return Results.Created($"/api/admin/mailboxes/{mailbox.Name}", MailboxResponse.Of(mailbox, board, await owners.OwnersAsync(cancellationToken)));
    }

    private static async Task<IResult> ChangeAsync(
        string name, HttpContext context, MailboxRegistry registry, MailboxStatusBoard board, MailboxOwners owners, IOptions<MailOptions> options, SecurityLog securityLog, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var body = await JsonBody.ReadAsync(context, errors, cancellationToken);
        var request = errors.Count == 0 ? MailboxRequest.Read(body, errors) : MailboxRequest.Empty;
        if (errors.Count == 0 && request.Given.Count == 0)
        {
            errors["body"] = ["nothing to change: give at least one field"];
        }

        string? before = null;
        var mailbox = errors.Count > 0 ? null : await registry.ChangeAsync(
            name,
            existing =>
            {
                before = existing.ToString();
                return MailboxRules.Apply(request, existing, options.Value.AllowInsecure, errors);
            },
            cancellationToken);
        if (mailbox is null)
        {
            return before is null && errors.Count == 0 ? NotFound() : Invalid(errors);
        }

        securityLog.MailboxChanged(
            context.Connection.RemoteIpAddress, context.User.Identity?.Name, $"changed mailbox {before} to {mailbox} ({string.Join(", ", request.Given)})");
        return Results.Ok(MailboxResponse.Of(mailbox, board, await owners.OwnersAsync(cancellationToken)));
    }

    // Two at a time across all mailboxes, each within a minute: tests open sessions beside the
    // running ones, and servers cap sessions per user.
    private static readonly SemaphoreSlim TestSlots = new(2, 2);

    private static async Task<IResult> TestAsync(
        string name, HttpContext context, MailboxRegistry registry, IOptions<MailOptions> options, SecurityLog securityLog, CancellationToken cancellationToken)
    {
        if (registry.LoginFor(name) is not { } login)
        {
            return NotFound();
        }

        securityLog.MailboxChanged(context.Connection.RemoteIpAddress, context.User.Identity?.Name, $"tested mailbox {login.Mailbox}");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(1));
        await TestSlots.WaitAsync(deadline.Token);
        try
        {
            return Results.Ok(await MailboxCheck.RunAsync(login, options.Value.CommandTimeout, deadline.Token));
        }
        finally
        {
            TestSlots.Release();
        }
    }

    private static async Task<IResult> RemoveAsync(
        string name, HttpContext context, MailboxRegistry registry, UserAdministration users, SecurityLog securityLog, CancellationToken cancellationToken)
    {
        if (name == MailboxDefinition.DefaultName)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status409Conflict,
                detail: "The default mailbox is defined by the EMAIL_* variables; pause it with PATCH {\"paused\": true} instead.");
        }

        if (!await registry.RemoveAsync(name, cancellationToken))
        {
            return NotFound();
        }

        securityLog.MailboxChanged(context.Connection.RemoteIpAddress, context.User.Identity?.Name, $"removed mailbox {name}");
        // A mailbox added later under the same name is another mailbox: no viewer sees it by inheritance.
        await users.ForgetMailboxAsync(name, CancellationToken.None);
        return Results.NoContent();
    }

    private static IResult Invalid(Dictionary<string, string[]> errors) => JsonBody.Invalid(errors, "The mailbox settings are not valid");

    private static IResult NotFound() => Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: "No mailbox has this name.");
}
