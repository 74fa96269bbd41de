using System.Text.Json;

namespace EmailMonitor.Tests.Support;

/// <summary>Waits on <c>/health/ready</c> until every watched folder is connected.</summary>
internal static class Readiness
{
    public static async Task WaitForMailboxesAsync(Uri baseUri, TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = baseUri };
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    using var document = JsonDocument.Parse(await http.GetStringAsync("/health/ready"));
                    return document.RootElement.GetProperty("checks").GetProperty("mailboxes").GetProperty("status").GetString() == "Healthy";
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            "/health/ready reports every mailbox folder watched",
            timeout ?? TimeSpan.FromSeconds(30));
    }
}
