using System.Text.Json;
using EmailMonitor.Analysis;
using EmailMonitor.Api;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Integration;

/// <summary>One large email costs other clients nothing: it is cut to size, and pages of them stay small.</summary>
public sealed class LargeEmailTests
{
    [Fact]
    public async Task A_megabytes_html_email_reaches_every_client_cut_to_size_and_nobody_is_dropped()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot);
        await using var first = await WsClient.ConnectAsync(service.WebSocketUri);
        await using var second = await WsClient.ConnectAsync(service.WebSocketUri);
        await first.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await second.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service);

        await dovecot.AppendAsync(Analyzers.Html("<p>" + new string('&', 6 * 1024 * 1024) + "</p>"));
        await dovecot.AppendAsync(Emails.Plain("after the large one"));

        foreach (var client in new[] { first, second })
        {
            var large = await client.ReceiveAsync("new_email", TimeSpan.FromSeconds(60));
            Assert.InRange(EventLimits.JsonBytes(large.GetProperty("html_content").GetString()!), 1, EventLimits.MaxHtmlJsonBytes);
            // The text, read from the HTML as there is no text part, is cut to its own limit too.
            Assert.Equal(["text_content", "html_content"], large.GetProperty("truncated").EnumerateArray().Select(t => t.GetString()));
            Assert.Equal("after the large one", (await client.ReceiveAsync("new_email")).GetProperty("subject").GetString());
            await client.SendAsync(new { type = "ping" });
            Assert.Equal("pong", (await client.ReceiveAsync("pong")).GetProperty("type").GetString());
        }
    }

    [Fact]
    public async Task A_page_of_large_emails_stops_early_and_the_pages_still_join_up()
    {
        await using var service = await ServiceHost.StartAsync();
        using var api = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        // Each as large as analysis lets an HTML part be.
        var injected = await InjectedEvents.InjectAsync(service, 20, html: new string('x', EventLimits.MaxHtmlJsonBytes));
        await Eventually.TrueAsync(async () => (await api.GetAsync($"/api/emails/{injected[^1]}")).IsSuccessStatusCode, "all twenty are stored");

        var pages = new List<JsonElement>();
        var path = "/api/emails?limit=200";
        while (true)
        {
            using var response = await api.GetAsync(path);
            Assert.InRange(response.Content.Headers.ContentLength ?? (await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Length, 1, EmailsApi.MaxPageBytes + EventLimits.MaxHtmlJsonBytes + 64 * 1024);
            var page = await ApiClient.ReadAsync(response);
            pages.Add(page);
            if (page.GetProperty("next_before").ValueKind == JsonValueKind.Null)
            {
                break;
            }

            path = $"/api/emails?limit=200&before={page.GetProperty("next_before").GetInt64()}";
        }

        Assert.True(pages.Count >= 3, $"{pages.Count} pages");
        Assert.Equal(injected.Reverse(), pages.SelectMany(p => p.GetProperty("items").EnumerateArray()).Select(i => i.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task An_email_larger_than_a_page_is_a_page_of_its_own_and_older_ones_still_follow()
    {
        await using var service = await ServiceHost.StartAsync();
        using var api = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        var older = await InjectedEvents.InjectAsync(service, 2);
        var huge = await InjectedEvents.InjectAsync(service, 1, html: new string('x', EmailsApi.MaxPageBytes + 1024));
        await Eventually.TrueAsync(async () => (await api.GetAsync($"/api/emails/{huge[0]}")).IsSuccessStatusCode, "all three are stored");

        var first = await api.GetJsonAsync("/api/emails?limit=200");
        var second = await api.GetJsonAsync($"/api/emails?limit=200&before={first.GetProperty("next_before").GetInt64()}");

        Assert.Equal(huge, first.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal(older.Reverse(), second.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_before").ValueKind);
    }

    [Fact]
    public async Task Resume_over_large_emails_replays_every_one_in_order()
    {
        await using var service = await ServiceHost.StartAsync();
        var injected = await InjectedEvents.InjectAsync(service, 20, html: new string('x', EventLimits.MaxHtmlJsonBytes));
        using var api = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        await Eventually.TrueAsync(async () => (await api.GetAsync($"/api/emails/{injected[^1]}")).IsSuccessStatusCode, "all twenty are stored");
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        await client.SendAsync(new { type = "resume", last_event_id = 0 });
        var frames = await client.ReceiveUntilAsync(f => f.GetProperty("type").GetString() == "resume_complete", TimeSpan.FromSeconds(60));

        Assert.Equal(injected, frames.Where(f => f.GetProperty("type").GetString() == "new_email").Select(f => f.GetProperty("id").GetString()));
        Assert.Equal(20, frames[^1].GetProperty("count").GetInt32());
    }
}
