using System.Text.Json;

namespace EmailMonitor;

/// <summary>
/// Reads typed fields of one JSON object of a request body, noting each one it was asked for, with an
/// error for each field of the wrong type and (<see cref="RefuseOthers"/>) for each field that does not exist.
/// A field given as null reads as absent.
/// </summary>
internal sealed class JsonFieldReader(JsonElement body, Dictionary<string, string[]> errors, string owner, string prefix = "")
{
    private readonly List<string> _seen = [];
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Seen => _seen;

    /// <summary>Whether the field is given as null (which the typed reads take as absent): a PATCH clears with it.</summary>
    public bool IsNull(string name) => body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Null;

    public string? Text(string name) => Read(name, JsonValueKind.String, "must be a string", e => e.GetString());

    public int? Integer(string name) =>
        Read(name, JsonValueKind.Number, "must be a whole number", e => e.TryGetInt32(out var value) ? value : (int?)null);

    public bool? Boolean(string name)
    {
        _known.Add(name);
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        _seen.Add(name);
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        errors[prefix + name] = ["must be true or false"];
        return null;
    }

    public JsonElement? Object(string name) => Read(name, JsonValueKind.Object, "must be an object", e => (JsonElement?)e);

    public List<string>? TextList(string name) =>
        Read(name, JsonValueKind.Array, "must be a list of strings", e => e.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String)
            ? e.EnumerateArray().Select(item => item.GetString()!).ToList()
            : null);

    /// <summary>A list of ids: whole numbers from 1 up.</summary>
    public List<long>? IdList(string name) =>
        Read(name, JsonValueKind.Array, "must be a list of ids (whole numbers from 1)", e => e.EnumerateArray().All(item => item.ValueKind == JsonValueKind.Number && item.TryGetInt64(out var id) && id > 0)
            ? e.EnumerateArray().Select(item => item.GetInt64()).ToList()
            : null);

    /// <summary>A field this endpoint does not know is an error, not silently ignored: a misspelt "pasword" must not pass.</summary>
    public void RefuseOthers()
    {
        foreach (var property in body.EnumerateObject().Where(p => !_known.Contains(p.Name)))
        {
            errors[prefix + property.Name] = [$"is not a field of {owner}"];
        }
    }

    private T? Read<T>(string name, JsonValueKind kind, string problem, Func<JsonElement, T?> read)
    {
        _known.Add(name);
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return default;
        }

        _seen.Add(name);
        var result = value.ValueKind == kind ? read(value) : default;
        if (result is null)
        {
            errors[prefix + name] = [problem];
        }

        return result;
    }
}
