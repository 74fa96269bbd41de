using System.Text.Json;

namespace EmailMonitor.Api;

/// <summary>A request body read as one JSON value, with an error (never an exception) when it is not JSON.</summary>
internal static class JsonBody
{
    public static async Task<JsonElement> ReadAsync(HttpContext context, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        if (!context.Request.HasJsonContentType())
        {
            errors["body"] = ["must be JSON (Content-Type: application/json)"];
            return default;
        }

        try
        {
            return await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body, StrictJson, cancellationToken);
        }
        catch (JsonException)
        {
            errors["body"] = ["is not valid JSON (or gives a field twice)"];
            return default;
        }
    }

    /// <summary>400 with each field's problems, and all of them in the detail for clients that show only that.</summary>
    public static IResult Invalid(Dictionary<string, string[]> errors, string title) =>
        Results.ValidationProblem(
            errors,
            detail: string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")),
            title: title);

    // A key given twice ("password" once harmless, once not) is refused, never silently the last one.
    private static readonly JsonSerializerOptions StrictJson = new() { AllowDuplicateProperties = false };
}
