using System.Globalization;
using System.Text.Json;
using EmailMonitor.Analysis;
using EmailMonitor.Auth;
using EmailMonitor.Search;
using EmailMonitor.Storage;
using MimeKit;

namespace EmailMonitor.Api;

/// <summary>
/// <c>GET /api/emails</c> and <c>/api/emails/{id}</c>: stored events, newest first, in the same
/// shape as <c>new_email</c> (with <c>event_id</c>). Pages are cut by event_id: a page's
/// <c>next_before</c> goes into the next request's <c>before</c>, and new mail never shifts them.
/// </summary>
internal static class EmailsApi
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary>A page stops early, with <c>next_before</c>, once its events hold this many bytes.</summary>
    public const int MaxPageBytes = 8 * 1024 * 1024;

    public static IEndpointRouteBuilder MapEmailsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/emails").RequireAuthorization(AuthPolicies.Viewer).WithTags("Emails");
        group.MapGet("/", ListAsync)
            .WithSummary("Stored emails, newest first: ?limit=1..200 (50), ?before=<event_id>; narrowed by ?q= (words of the subject, sender, recipients, attachment names and text, whole words, any case), ?mailbox=, ?folder=, ?flag= and ?tag= (repeatable: all must hold), ?min_risk=0..100, ?since= and ?until= (a date or a time with its offset; since inclusive, until exclusive); the answer is {items, next_before}; a page of large emails may hold fewer than limit")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        // A literal segment wins over the catch-all below, and no id can start with it: an id's
        // first segment is "mailbox:…", and mailbox names hold no ':' or '/'.
        group.MapGet("/headers/{**id}", GetHeadersAsync)
            .WithSummary("The header block of one stored email as it arrived (the first 64 KiB; known: false for mail stored before headers were kept), with the receiving server's authentication verdicts that its spf/dkim/dmarc flags were read from")
            .Produces<HeadersResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        // Catch-all, as a folder name may hold "/".
        group.MapGet("/{**id}", GetAsync)
            .WithSummary("One stored email by its id, as in new_email")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, EventStore store, MailboxAccess access, CancellationToken cancellationToken)
    {
        var query = request.Query;
        if (!TryReadNumber(query["limit"], 1, MaxPageSize, out var limit, DefaultPageSize))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: $"'limit' must be a whole number from 1 to {MaxPageSize}.");
        }

        if (!TryReadNumber(query["before"], 1, long.MaxValue, out var before, long.MaxValue))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "'before' must be an event_id (a positive whole number).");
        }

        if (!EmailQuery.TryRead(query, out var filter, out var problem))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: problem);
        }

        // One more than asked tells whether another page follows.
        var visible = access.Visible(request.HttpContext.User);
        var events = await store.ReadBeforeAsync(before, (int)limit + 1, filter, MaxPageBytes, visible, cancellationToken);
        var (page, more) = FillPage(events, (int)limit);
        long? nextBefore = more ? page[^1].EventId : null;
        return new RawJsonResult(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("items");
            foreach (var stored in page)
            {
                WriteEvent(writer, stored);
            }

            writer.WriteEndArray();
            if (nextBefore is { } next)
            {
                writer.WriteNumber("next_before", next);
            }
            else
            {
                writer.WriteNull("next_before");
            }

            writer.WriteEndObject();
        });
    }

    // Up to limit events and MaxPageBytes, and always at least one, so paging never stalls. More
    // may follow when the page was cut, or when the store stopped at the budget itself (one event
    // can be larger than a page).
    private static (List<StoredEvent> Page, bool More) FillPage(IReadOnlyList<StoredEvent> events, int limit)
    {
        var page = new List<StoredEvent>();
        long bytes = 0;
        foreach (var stored in events)
        {
            bytes += stored.PayloadBytes;
            if (page.Count == limit || (page.Count > 0 && bytes > MaxPageBytes))
            {
                return (page, true);
            }

            page.Add(stored);
        }

        return (page, page.Count > 0 && bytes > MaxPageBytes);
    }

    // Another mailbox's email answers as an unknown one: a viewer learns nothing of it.
    private static async Task<IResult> GetAsync(string id, HttpContext context, EventStore store, MailboxAccess access, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is { } stored && access.Allows(context.User, stored.Mailbox)
            ? new RawJsonResult(writer => WriteEvent(writer, stored))
            : NotFound();

    private static async Task<IResult> GetHeadersAsync(
        string id, HttpContext context, EventStore store, MailboxAccess access, HeaderInspector inspector, CancellationToken cancellationToken)
    {
        if (await store.FindHeadersAsync(id, cancellationToken) is not { } found || !access.Allows(context.User, found.Mailbox))
        {
            return NotFound();
        }

        var raw = found.Headers ?? string.Empty;
        var authentication = inspector.Authentication(ParseHeaders(raw));
        return Results.Json(new HeadersResponse(id, raw, found.Headers is not null, authentication.Server, authentication.Results));
    }

    private static HeaderList ParseHeaders(string raw)
    {
        try
        {
            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(raw));
            return HeaderList.Load(ParserOptions.Default, stream);
        }
        catch (FormatException)
        {
            // Headers MimeKit cannot read have no verdicts to show; the raw text is still there.
            return [];
        }
    }

    private static IResult NotFound() => Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: "No stored email has this id.");

    private static void WriteEvent(Utf8JsonWriter writer, StoredEvent stored) =>
        writer.WriteRawValue(stored.ToUtf8Json(), skipInputValidation: true);

    private static bool TryReadNumber(Microsoft.Extensions.Primitives.StringValues values, long min, long max, out long value, long absent)
    {
        value = absent;
        if (values.Count == 0)
        {
            return true;
        }

        return values.Count == 1 && long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }

    /// <summary>JSON written straight to the response, for events already stored as JSON.</summary>
    private sealed class RawJsonResult(Action<Utf8JsonWriter> write) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            await using var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter);
            write(writer);
            await writer.FlushAsync(httpContext.RequestAborted);
        }
    }
}

/// <summary>The answer of <c>GET /api/emails/headers/{id}</c>.</summary>
internal sealed record HeadersResponse(string Id, string Headers, bool Known, string? AuthenticationServer, IReadOnlyList<AuthenticationVerdict> Authentication);
