using System.Text.Json;
using System.Text.Json.Serialization;
using EmailMonitor.Auth;
using EmailMonitor.Mailboxes;
using EmailMonitor.Security;
using EmailMonitor.Webhooks;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Api;

/// <summary>
/// <c>/api/admin/webhooks</c> (CONTRACT §8): webhooks and their deliveries. A signing secret is shown
/// once, when it is made (created or rotated), never again. Administrators only.
/// </summary>
internal static class WebhooksApi
{
    /// <summary>How long the key a rotation replaces keeps signing beside the new one.</summary>
    public static readonly TimeSpan RotationOverlap = TimeSpan.FromHours(24);

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/admin/webhooks").RequireAuthorization(AuthPolicies.Admin).WithTags("Administration");
        group.MapGet("/", ListAsync)
            .WithSummary("Every webhook with its delivery state (last success, last failure, pending, dead); never its secret");
        group.MapGet("/{id:long}", GetAsync)
            .WithSummary("One webhook")
            .Produces<WebhookResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateAsync)
            .WithSummary("Create a webhook: {url} and optionally secret (whsec_…; generated and returned once when absent), format (json, slack, teams), min_risk_score, flags, mailboxes, include_html, enabled, ordered, max_in_flight")
            .Accepts<JsonElement>("application/json")
            .Produces<WebhookResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem();
        group.MapPatch("/{id:long}", ChangeAsync)
            .WithSummary("Change any field but the secret (see rotate-secret); a filter given as null is removed")
            .Accepts<JsonElement>("application/json")
            .Produces<WebhookResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id:long}", DeleteAsync)
            .WithSummary("Remove a webhook with its deliveries")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:long}/rotate-secret", RotateAsync)
            .WithSummary("Make a new secret (or the one given as {secret}), returned once; deliveries are signed with the old one too for 24 h")
            .Produces<SecretResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:long}/test", TestAsync)
            .WithSummary("Send a made-up event (event_id 0, webhook-id test-…) now, signed, in the webhook's format; not recorded or retried")
            .Produces<TestSendResult>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:long}/deliveries", DeliveriesAsync)
            .WithSummary("The latest deliveries (?limit=, at most 200, default 50), newest first, each with its latest attempts")
            .Produces<IReadOnlyList<DeliveryResponse>>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:long}/deliveries/{deliveryId:long}/retry", RetryAsync)
            .WithSummary("Send a dead delivery again, with a new 24 h to succeed in")
            .Produces<DeliveryResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return endpoints;
    }

    private static async Task<IReadOnlyList<WebhookResponse>> ListAsync(WebhookStore store, CancellationToken cancellationToken) =>
        [.. (await store.ListAsync(null, cancellationToken)).Select(w => WebhookResponse.Of(w, null))];

    private static async Task<IResult> GetAsync(long id, WebhookStore store, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is { } webhook ? Results.Ok(WebhookResponse.Of(webhook, null)) : NotFound();

    private static async Task<IResult> CreateAsync(
        HttpContext context, WebhookStore store, MailboxRegistry mailboxes, IOptions<WebhookOptions> options, SecurityLog securityLog, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var body = await JsonBody.ReadAsync(context, errors, cancellationToken);
        var request = errors.Count == 0 ? WebhookRequest.Read(body, errors) : null;
        var settings = errors.Count == 0 ? request!.Apply(null, options.Value.AllowPrivate, name => mailboxes.Find(name) is not null, errors) : null;
        if (settings is null)
        {
            return Invalid(errors);
        }

        var secret = request!.Secret ?? WebhookSecret.New();
        var id = await store.CreateAsync(settings, WebhookSecret.TryReadKey(secret)!, cancellationToken);
        securityLog.WebhookChanged(context.Connection.RemoteIpAddress, context.User.Identity?.Name, $"created webhook {id} to {Describe(settings)}");
        var webhook = await store.FindAsync(id, cancellationToken);
        return Results.Created($"/api/admin/webhooks/{id}", WebhookResponse.Of(webhook!, request.Secret is null ? secret : null));
    }

    private static async Task<IResult> ChangeAsync(
        long id, HttpContext context, WebhookStore store, MailboxRegistry mailboxes, IOptions<WebhookOptions> options, SecurityLog securityLog, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var body = await JsonBody.ReadAsync(context, errors, cancellationToken);
        var request = errors.Count == 0 ? WebhookRequest.Read(body, errors) : null;
        if (request?.Secret is not null)
        {
            errors["secret"] = [$"is changed with POST /api/admin/webhooks/{id}/rotate-secret, so receivers get a day to take the new one"];
        }

        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        if (await store.FindAsync(id, cancellationToken) is not { } current)
        {
            return NotFound();
        }

        var settings = request!.Apply(current.Settings, options.Value.AllowPrivate, name => mailboxes.Find(name) is not null, errors);
        if (settings is null)
        {
            return Invalid(errors);
        }

        if (!await store.UpdateAsync(id, settings, cancellationToken))
        {
            return NotFound();
        }

        securityLog.WebhookChanged(context.Connection.RemoteIpAddress, context.User.Identity?.Name, $"changed webhook {id} to {Describe(settings)}");
        return Results.Ok(WebhookResponse.Of((await store.FindAsync(id, cancellationToken))!, null));
    }

    private static async Task<IResult> DeleteAsync(long id, HttpContext context, WebhookStore store, SecurityLog securityLog, CancellationToken cancellationToken)
    {
        if (!await store.DeleteAsync(id, cancellationToken))
        {
            return NotFound();
        }

        securityLog.WebhookChanged(context.Connection.RemoteIpAddress, context.User.Identity?.Name, $"removed webhook {id}");
        return Results.NoContent();
    }

    private static async Task<IResult> RotateAsync(
        long id, HttpContext context, WebhookStore store, SecurityLog securityLog, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        string? chosen = null;
        if (context.Request.ContentLength is > 0 || context.Request.HasJsonContentType())
        {
            var body = await JsonBody.ReadAsync(context, errors, cancellationToken);
            if (errors.Count == 0)
            {
                var reader = new JsonFieldReader(body, errors, "a secret rotation");
                if (body.ValueKind != JsonValueKind.Object)
                {
                    errors["body"] = ["must be a JSON object"];
                }
                else
                {
                    chosen = reader.Text("secret");
                    reader.RefuseOthers();
                }
            }
        }

        if (chosen is not null && WebhookSecret.TryReadKey(chosen) is null)
        {
            errors["secret"] = [WebhookSecret.Problem];
        }

        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var secret = chosen ?? WebhookSecret.New();
        if (!await store.RotateAsync(id, WebhookSecret.TryReadKey(secret)!, RotationOverlap, cancellationToken))
        {
            return NotFound();
        }

        securityLog.WebhookChanged(context.Connection.RemoteIpAddress, context.User.Identity?.Name, $"rotated the secret of webhook {id}");
        return Results.Ok(new SecretResponse(chosen is null ? secret : null, time.GetUtcNow() + RotationOverlap));
    }

    private static async Task<IResult> TestAsync(
        long id, HttpContext context, WebhookStore store, WebhookTestSend tester, SecurityLog securityLog, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is not { } webhook)
        {
            return NotFound();
        }

        var result = await tester.SendAsync(webhook, cancellationToken);
        securityLog.WebhookChanged(context.Connection.RemoteIpAddress, context.User.Identity?.Name, $"sent a test event to webhook {id}: {(result.Delivered ? "delivered" : result.Error)}");
        return Results.Ok(result);
    }

    private static async Task<IResult> DeliveriesAsync(long id, int? limit, WebhookStore store, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 200)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "limit must be between 1 and 200.");
        }

        if (await store.FindAsync(id, cancellationToken) is null)
        {
            return NotFound();
        }

        return Results.Ok((await store.DeliveriesAsync(id, limit ?? 50, null, cancellationToken)).Select(DeliveryResponse.Of).ToList());
    }

    private static async Task<IResult> RetryAsync(
        long id, long deliveryId, HttpContext context, WebhookStore store, WebhookDispatcher dispatcher, SecurityLog securityLog, CancellationToken cancellationToken)
    {
        if (await store.DeliveriesAsync(id, 1, deliveryId, cancellationToken) is not [var delivery])
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: "This webhook has no delivery with this id.");
        }

        if (!await store.RetryAsync(id, deliveryId, cancellationToken))
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, detail: $"The delivery is {delivery.State}; only a dead one is sent again.");
        }

        securityLog.WebhookChanged(context.Connection.RemoteIpAddress, context.User.Identity?.Name, $"sent delivery {deliveryId} (event {delivery.EventId}) of webhook {id} again");
        dispatcher.Wake();
        var again = await store.DeliveriesAsync(id, 1, deliveryId, cancellationToken);
        return Results.Accepted($"/api/admin/webhooks/{id}/deliveries", DeliveryResponse.Of(again[0]));
    }

    // Where it sends, without the path or query: those often hold the receiver's own secret (Slack, Teams).
    private static string Describe(WebhookSettings settings) =>
        $"{new Uri(settings.Url).GetLeftPart(UriPartial.Authority)}/… ({settings.Format}{(settings.Enabled ? string.Empty : ", disabled")})";

    private static IResult Invalid(Dictionary<string, string[]> errors) => JsonBody.Invalid(errors, "The webhook settings are not valid");

    private static IResult NotFound() => Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: "No webhook has this id.");
}

internal sealed record WebhookResponse(
    long Id,
    string Url,
    string Format,
    int? MinRiskScore,
    IReadOnlyList<string>? Flags,
    IReadOnlyList<string>? Mailboxes,
    bool IncludeHtml,
    bool Enabled,
    bool Ordered,
    int MaxInFlight,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastFailureAt,
    int Pending,
    int Dead,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret)
{
    public static WebhookResponse Of(Webhook webhook, string? secret)
    {
        var s = webhook.Settings;
        return new WebhookResponse(
            webhook.Id, s.Url, s.Format, s.MinRiskScore, s.Flags, s.Mailboxes, s.IncludeHtml, s.Enabled, s.Ordered, s.MaxInFlight,
            webhook.CreatedAt, webhook.LastSuccessAt, webhook.LastFailureAt, webhook.Pending, webhook.Dead, secret);
    }
}

/// <summary>A new secret, shown this once (absent when the caller chose it), and until when the one it replaces still signs.</summary>
internal sealed record SecretResponse(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret, DateTimeOffset PreviousSignsUntil);

internal sealed record DeliveryResponse(
    long Id, long EventId, string State, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? FinishedAt, IReadOnlyList<AttemptResponse> RecentAttempts)
{
    public static DeliveryResponse Of(WebhookDelivery delivery) => new(
        delivery.Id,
        delivery.EventId,
        delivery.State,
        delivery.Attempts,
        delivery.CreatedAt,
        delivery.NextAttemptAt,
        delivery.FinishedAt,
        [.. delivery.Recent.Select(a => new AttemptResponse(a.At, a.Status, a.Error, a.DurationMs))]);
}

internal sealed record AttemptResponse(DateTimeOffset At, int? Status, string? Error, long DurationMs);
