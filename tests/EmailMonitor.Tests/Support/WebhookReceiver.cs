using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EmailMonitor.Tests.Support;

/// <summary>
/// A real HTTP receiver (Kestrel on a free loopback port) that records every webhook request and
/// answers as the test says: succeed, fail with a status, answer slowly, or hold the request until
/// released. By default it answers 204.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<ReceivedWebhook> _arrivals = Channel.CreateUnbounded<ReceivedWebhook>();
    private readonly ConcurrentQueue<ReceivedWebhook> _all = new();

    private WebhookReceiver(WebApplication app, string address)
    {
        _app = app;
        var port = FreePort.Next();
        var host = address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address;
        app.Urls.Add($"http://{host}:{port}");
        BaseUri = new Uri($"http://{host}:{port}");
        app.Map("/{**path}", ReceiveAsync);
    }

    public Uri BaseUri { get; }

    public Uri Url(string path = "/hook") => new(BaseUri, path);

    /// <summary>Decides each answer from the request and how many requests with its webhook-id came before (0 for the first).</summary>
    public Func<ReceivedWebhook, int, Task<int>> Answer { get; set; } = (_, _) => Task.FromResult(204);

    /// <summary>Where to redirect a request to (with the status <see cref="Answer"/> gives), or null.</summary>
    public Func<ReceivedWebhook, string?> Location { get; set; } = _ => null;

    public IReadOnlyList<ReceivedWebhook> All => [.. _all];

    public static async Task<WebhookReceiver> StartAsync(string address = "127.0.0.1")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var receiver = new WebhookReceiver(builder.Build(), address);
        await receiver._app.StartAsync();
        return receiver;
    }

    /// <summary>The next request to arrive (answered or not).</summary>
    public async Task<ReceivedWebhook> NextAsync(TimeSpan? timeout = null)
    {
        using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        return await _arrivals.Reader.ReadAsync(wait.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var request = new ReceivedWebhook(
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
            body.ToArray(),
            DateTimeOffset.UtcNow);
        var before = _all.Count(r => r.Id == request.Id);
        _all.Enqueue(request);
        _arrivals.Writer.TryWrite(request);
        context.Response.StatusCode = await Answer(request, before);
        if (Location(request) is { } location)
        {
            context.Response.Headers.Location = location;
        }
    }
}

internal sealed record ReceivedWebhook(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset At)
{
    public string? Id => Headers.GetValueOrDefault("webhook-id");

    public string Text => Encoding.UTF8.GetString(Body);
}
