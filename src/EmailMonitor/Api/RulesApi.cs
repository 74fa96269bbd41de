using System.Text.Json;
using EmailMonitor.Auth;
using EmailMonitor.Mailboxes;
using EmailMonitor.Rules;
using EmailMonitor.Security;
using EmailMonitor.Webhooks;

namespace EmailMonitor.Api;

/// <summary>
/// <c>/api/admin/rules</c> (docs/rules.md): the rules every email passes through between analysis
/// and storage. A change is in force on this instance when the answer comes, on the others within
/// <see cref="RuleRefresher.Interval"/>. Administrators only.
/// </summary>
internal static class RulesApi
{
    public static IEndpointRouteBuilder MapRulesApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/admin/rules").RequireAuthorization(AuthPolicies.Admin).WithTags("Administration");
        group.MapGet("/", ListAsync)
            .WithSummary("Every rule, in the order they run (priority, then id)");
        group.MapGet("/{id:long}", GetAsync)
            .WithSummary("One rule")
            .Produces<RuleResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateAsync)
            .WithSummary("Create a rule: {name, match, actions} and optionally enabled, priority (lower runs first, default 100)")
            .Accepts<JsonElement>("application/json")
            .Produces<RuleResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPatch("/{id:long}", ChangeAsync)
            .WithSummary("Change a rule; match and actions, when given, replace the ones there were")
            .Accepts<JsonElement>("application/json")
            .Produces<RuleResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id:long}", DeleteAsync)
            .WithSummary("Remove a rule")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    private static async Task<IReadOnlyList<RuleResponse>> ListAsync(RuleStore store, CancellationToken cancellationToken)
    {
        var (_, rules) = await store.ReadAllAsync(cancellationToken);
        return [.. rules.OrderBy(r => r.Definition.Priority).ThenBy(r => r.Id).Select(RuleResponse.Of)];
    }

    private static async Task<IResult> GetAsync(long id, RuleStore store, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is { } rule ? Results.Ok(RuleResponse.Of(rule)) : NotFound();

    private static async Task<IResult> CreateAsync(
        HttpContext context, RuleStore store, RuleBook book, MailboxRegistry mailboxes, WebhookStore webhooks, SecurityLog securityLog, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var body = await JsonBody.ReadAsync(context, errors, cancellationToken);
        var request = errors.Count == 0 ? RuleRequest.Read(body, errors) : null;
        var known = errors.Count == 0 ? await webhooks.SettingsAsync(cancellationToken) : null;
        var rule = errors.Count == 0 ? request!.Apply(null, name => mailboxes.Find(name) is not null, known!.ContainsKey, errors) : null;
        if (rule is null)
        {
            return Invalid(errors);
        }

        if (await store.CreateAsync(rule, cancellationToken) is not { } id)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, detail: $"There are {RuleStore.MaxRules} rules already, as many as there may be.");
        }

        await book.TryLoadAsync(cancellationToken);
        securityLog.RuleChanged(context.Connection.RemoteIpAddress, context.User.Identity?.Name, $"created rule {id} ({rule.Name})");
        return Results.Created($"/api/admin/rules/{id}", RuleResponse.Of((await store.FindAsync(id, cancellationToken))!));
    }

    private static async Task<IResult> ChangeAsync(
        long id, HttpContext context, RuleStore store, RuleBook book, MailboxRegistry mailboxes, WebhookStore webhooks, SecurityLog securityLog, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var body = await JsonBody.ReadAsync(context, errors, cancellationToken);
        var request = errors.Count == 0 ? RuleRequest.Read(body, errors) : null;
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        if (await store.FindAsync(id, cancellationToken) is not { } current)
        {
            return NotFound();
        }

        var known = await webhooks.SettingsAsync(cancellationToken);
        if (request!.Apply(current.Definition, name => mailboxes.Find(name) is not null, known.ContainsKey, errors) is not { } rule)
        {
            return Invalid(errors);
        }

        if (!await store.UpdateAsync(id, rule, cancellationToken))
        {
            return NotFound();
        }

        await book.TryLoadAsync(cancellationToken);
        securityLog.RuleChanged(context.Connection.RemoteIpAddress, context.User.Identity?.Name, $"changed rule {id} ({rule.Name}{(rule.Enabled ? string.Empty : ", disabled")})");
        return Results.Ok(RuleResponse.Of((await store.FindAsync(id, cancellationToken))!));
    }

    private static async Task<IResult> DeleteAsync(long id, HttpContext context, RuleStore store, RuleBook book, SecurityLog securityLog, CancellationToken cancellationToken)
    {
        if (!await store.DeleteAsync(id, cancellationToken))
        {
            return NotFound();
        }

        await book.TryLoadAsync(cancellationToken);
        securityLog.RuleChanged(context.Connection.RemoteIpAddress, context.User.Identity?.Name, $"removed rule {id}");
        return Results.NoContent();
    }

    private static IResult Invalid(Dictionary<string, string[]> errors) => JsonBody.Invalid(errors, "The rule is not valid");

    private static IResult NotFound() => Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: "No rule has this id.");
}

internal sealed record RuleResponse(long Id, string Name, bool Enabled, int Priority, RuleMatch Match, RuleActions Actions, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static RuleResponse Of(StoredRule rule) => new(
        rule.Id, rule.Definition.Name, rule.Definition.Enabled, rule.Definition.Priority, rule.Definition.Match, rule.Definition.Actions, rule.CreatedAt, rule.UpdatedAt);
}
