using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace EmailMonitor.Tests.Support;

/// <summary>An HTTP client of the REST API, signed in as one user (or as nobody).</summary>
internal sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string? _token;

    private ApiClient(HttpClient http, string? token)
    {
        _http = http;
        _token = token;
    }

    public static ApiClient Anonymous(ServiceHost service) => WithToken(service, null);

    /// <summary>A client that sends this token, whatever it is (forged, expired, another user's).</summary>
    public static ApiClient WithToken(ServiceHost service, string? token) => new(new HttpClient { BaseAddress = service.BaseUri }, token);

    public static async Task<ApiClient> SignInAsync(ServiceHost service, string username, string password)
    {
        var http = new HttpClient { BaseAddress = service.BaseUri };
        using var response = await http.PostAsJsonAsync("/api/auth/login", new { username, password }, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var tokens = await ReadAsync(response);
        return new ApiClient(http, tokens.GetProperty("access_token").GetString());
    }

    public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (_token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }

        if (body is not null)
        {
            request.Content = body is string text
                ? new StringContent(text, System.Text.Encoding.UTF8, "application/json")
                : JsonContent.Create(body);
        }

        return await _http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>GETs a path that must answer 200 and returns its JSON.</summary>
    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        return await ReadAsync(response);
    }

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return document.RootElement.Clone();
    }

    public void Dispose() => _http.Dispose();
}
