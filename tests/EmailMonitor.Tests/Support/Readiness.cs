using System.Text.Json;

namespace EmailMonitor.Tests.Support;

/// <summary>Waits on <c>/health/ready</c> until this instance watches its folders, every one connected.</summary>
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
                    var mailboxes = document.RootElement.GetProperty("checks").GetProperty("mailboxes");
                    // Healthy alone is also what an instance says before it holds a lease (PostgreSQL):
                    // no folder at all is down then. Mail appended before a folder is watched is never seen.
                    return mailboxes.GetProperty("status").GetString() == "Healthy"
                        && mailboxes.GetProperty("folders").EnumerateArray().Any(f => f.GetProperty("state").GetString() == "watching");
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
