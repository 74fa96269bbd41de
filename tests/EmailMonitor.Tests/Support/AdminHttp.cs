using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace EmailMonitor.Tests.Support;

/// <summary>An HTTP client of a service process (not hosted in the test), signed in as the administrator.</summary>
internal static class AdminHttp
{
    public static async Task<HttpClient> SignInAsync(Uri baseUri, string password)
    {
        var http = new HttpClient { BaseAddress = baseUri };
        using var login = await http.PostAsJsonAsync("/api/auth/login", new { username = ServiceHost.AdminUsername, password });
        login.EnsureSuccessStatusCode();
        var tokens = await login.Content.ReadFromJsonAsync<JsonElement>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("access_token").GetString());
        return http;
    }
}
