using System.Net.WebSockets;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using EmailMonitor.Realtime;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Realtime;

/// <summary>
/// docs/asyncapi.yaml against the server, so the two cannot drift: the same frame types each
/// way, error codes and close codes; every frame the server sends fits its documented schema
/// (no field missing, none undocumented, each of its type); every documented client frame is
/// understood, with the fields the document requires.
/// </summary>
public sealed partial class AsyncApiDocumentTests
{
    private static readonly Lazy<JsonDocument> Document = new(ReadDocument);

    private static JsonElement Messages => Document.Value.RootElement.GetProperty("components").GetProperty("messages");

    [Fact]
    public void The_document_names_exactly_the_servers_frame_types_error_codes_and_close_codes()
    {
        var operations = Document.Value.RootElement.GetProperty("operations");

        Assert.Equal(MessageTypes.FromClients.Order(), OperationMessages(operations.GetProperty("sendRequests")).Order());
        Assert.Equal(MessageTypes.ToClients.Order(), OperationMessages(operations.GetProperty("receiveEvents")).Order());
        Assert.Equal([.. MessageTypes.FromClients.Concat(MessageTypes.ToClients).Order()], Messages.EnumerateObject().Select(m => m.Name).Order());

        var errorCodes = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);
        var documentedCodes = Messages.GetProperty("error").GetProperty("payload").GetProperty("properties").GetProperty("code").GetProperty("enum")
            .EnumerateArray().Select(c => c.GetString()!);
        Assert.Equal(errorCodes.Order(), documentedCodes.Order());

        // Every close status the server's code names, and 1007, which the framework sends for it.
        var source = string.Concat(Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "src", "EmailMonitor", "Realtime"), "*.cs").Select(File.ReadAllText));
        var used = CloseStatusUse().Matches(source)
            .Select(m => m.Groups["name"].Success ? (int)Enum.Parse<WebSocketCloseStatus>(m.Groups["name"].Value) : int.Parse(m.Groups["number"].Value, System.Globalization.CultureInfo.InvariantCulture))
            .Append((int)WebSocketCloseStatus.InvalidPayloadData)
            .Distinct();
        var documentedCloses = Document.Value.RootElement.GetProperty("channels").GetProperty("events").GetProperty("x-close-codes")
            .EnumerateObject().Select(c => int.Parse(c.Name, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(used.Order(), documentedCloses.Order());
    }

    [Fact]
    public async Task Every_frame_the_server_sends_fits_its_documented_schema()
    {
        await using var service = await ServiceHost.StartAsync();
        await InjectedEvents.InjectAsync(service, 1, html: "<p>hi</p>", shape: e => e with { Tags = ["finance"], Attachments = [new EmailMonitor.Analysis.AttachmentInfo { Filename = "a.txt" }] });
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        var frames = new List<JsonElement>();

        frames.Add(await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword));
        await client.SendAsync(new { type = "ping" });
        frames.Add(await client.ReceiveAsync("pong"));
        await client.SendAsync(new { type = "refresh_token", refresh_token = frames[0].GetProperty("refresh_token").GetString() });
        frames.Add(await client.ReceiveAsync("token_refreshed"));
        await Eventually.TrueAsync(async () => (await service.Get<EmailMonitor.Storage.EventStore>().ReadAfterAsync(0, 10, TestContext.Current.CancellationToken)).Count == 1, "the email is stored");
        await client.SendAsync(new { type = "resume", last_event_id = 0 });
        frames.AddRange(await client.ReceiveUntilAsync(f => f.GetProperty("type").GetString() == "resume_complete"));
        await client.SendAsync(new { type = "nonsense" });
        frames.Add(await client.ReceiveAsync("error"));
        await using var second = await WsClient.ConnectAsync(service.WebSocketUri);
        await second.SendAsync(new { type = "token_auth", token = frames[2].GetProperty("access_token").GetString() });
        frames.Add(await second.ReceiveAsync("auth_success"));

        Assert.Equal(MessageTypes.ToClients.Order(), frames.Select(f => f.GetProperty("type").GetString()!).Distinct().Order());
        foreach (var frame in frames)
        {
            var type = frame.GetProperty("type").GetString()!;
            var problems = new List<string>();
            Check(frame, Messages.GetProperty(type).GetProperty("payload"), type, problems);
            Assert.True(problems.Count == 0, $"{type} does not fit docs/asyncapi.yaml: {string.Join("; ", problems)}\n{frame}");
        }
    }

    [Fact]
    public async Task Every_documented_client_frame_is_understood_and_needs_the_fields_the_document_requires()
    {
        await using var service = await ServiceHost.StartAsync();
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        foreach (var type in MessageTypes.FromClients.Where(t => t != MessageTypes.Logout))
        {
            var required = Messages.GetProperty(type).GetProperty("payload").GetProperty("required").EnumerateArray().Select(r => r.GetString()!).Where(r => r != "type").ToList();
            await client.SendAsync(new Dictionary<string, object> { ["type"] = type });
            var answer = await client.ReceiveAsync();
            if (required.Count == 0)
            {
                Assert.NotEqual("error", answer.GetProperty("type").GetString());
                continue;
            }

            // Without a field the document requires, the server says which.
            Assert.Equal("invalid_message", answer.GetProperty("code").GetString());
            Assert.All(required, field => Assert.Contains($"'{field}'", answer.GetProperty("message").GetString()));
        }

        await client.SendAsync(new { type = "subscribe" });
        Assert.Contains("unknown message type", (await client.ReceiveAsync("error")).GetProperty("message").GetString());
        await client.SendAsync(new { type = MessageTypes.Logout });
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await client.WaitForCloseAsync());
    }

    // The parts of JSON Schema the document uses: type, const, enum, required, properties (and no
    // other field), items, minimum and maximum.
    private static void Check(JsonElement value, JsonElement schema, string path, List<string> problems)
    {
        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(value, constant))
        {
            problems.Add($"{path} is {value}, documented as {constant}");
        }

        if (schema.TryGetProperty("enum", out var choices) && !choices.EnumerateArray().Any(choice => JsonElement.DeepEquals(value, choice)))
        {
            problems.Add($"{path} is {value}, not one of {choices}");
        }

        if (schema.TryGetProperty("type", out var type) && !IsOfType(value, type.GetString()!))
        {
            problems.Add($"{path} is a {value.ValueKind}, documented as {type.GetString()}");
            return;
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            if (schema.TryGetProperty("minimum", out var minimum) && value.GetDouble() < minimum.GetDouble())
            {
                problems.Add($"{path} is under {minimum}");
            }

            if (schema.TryGetProperty("maximum", out var maximum) && value.GetDouble() > maximum.GetDouble())
            {
                problems.Add($"{path} is over {maximum}");
            }
        }

        if (value.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var properties))
        {
            var required = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(name => name.GetString()!) : [];
            foreach (var name in required.Where(name => !value.TryGetProperty(name, out _)))
            {
                problems.Add($"{path}.{name} is missing");
            }

            foreach (var field in value.EnumerateObject())
            {
                if (properties.TryGetProperty(field.Name, out var fieldSchema))
                {
                    Check(field.Value, fieldSchema, $"{path}.{field.Name}", problems);
                }
                else
                {
                    problems.Add($"{path}.{field.Name} is not documented");
                }
            }
        }

        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(item, items, $"{path}[{index++}]", problems);
            }
        }
    }

    private static bool IsOfType(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "a type the check does not know"),
    };

    private static IEnumerable<string> OperationMessages(JsonElement operation) =>
        operation.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("$ref").GetString()!.Split('/')[^1]);

    // YAML read by Python's reader (installed with the test tools), as JSON.
    private static JsonDocument ReadDocument()
    {
        var path = Path.Combine(RepositoryPaths.Root, "docs", "asyncapi.yaml");
        var (exitCode, json) = Exec.RunAsync("python3", ["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", path]).GetAwaiter().GetResult();
        Assert.True(exitCode == 0, json);
        return JsonDocument.Parse(json);
    }

    [GeneratedRegex(@"WebSocketCloseStatus\.(?<name>[A-Za-z]+)|\(WebSocketCloseStatus\)(?<number>\d+)")]
    private static partial Regex CloseStatusUse();
}
