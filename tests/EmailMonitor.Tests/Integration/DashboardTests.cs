using System.Text.Json;
using EmailMonitor.Storage;
using EmailMonitor.Tests.Support;
using MimeKit;

namespace EmailMonitor.Tests.Integration;

/// <summary>The dashboard in a real browser: sign in, see mail arrive, open it; nothing hostile runs.</summary>
public sealed class DashboardTests
{
    private const string HostileSubject = "<img src=x onerror=\"window.pwned='subject'\">Invoice";

    [Fact]
    public async Task A_user_signs_in_and_sees_a_hostile_email_arrive_as_harmless_text_and_html()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot);
        await Watching.WaitAsync(service);
        await using var page = await ChromiumPage.OpenAsync();
        await page.NavigateAsync(service.BaseUri);

        await SignInAsync(page, service);
        await page.WaitUntilAsync("document.getElementById('status').textContent.startsWith('live')", "signed in and caught up");

        await dovecot.AppendAsync(Hostile());
        await page.WaitUntilAsync("document.querySelectorAll('#emails li').length === 1", "the email is listed");
        await OpenFirstEmailAsync(page);

        Assert.Equal(HostileSubject, (await page.EvaluateAsync("document.querySelector('#emails li strong').textContent")).GetString());
        Assert.Equal(HostileSubject, (await page.EvaluateAsync("document.getElementById('detail-subject').textContent")).GetString());
        Assert.Contains("script_removed", (await page.EvaluateAsync("document.getElementById('detail-flags').textContent")).GetString());
        Assert.Equal(0, (await page.EvaluateAsync("document.querySelectorAll('#emails img, #detail img').length")).GetInt32());
        Assert.Equal(string.Empty, (await page.EvaluateAsync("document.getElementById('detail-html').getAttribute('sandbox')")).GetString());
        var body = (await page.EvaluateAsync("document.getElementById('detail-html').srcdoc")).GetString()!;
        Assert.Contains("Quarterly numbers", body);
        Assert.DoesNotContain("<script", body, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(JsonValueKind.Undefined, (await page.EvaluateAsync("window.pwned")).ValueKind);
    }

    [Fact]
    public async Task Opening_an_email_never_makes_the_viewers_browser_call_the_monitor_even_if_its_html_tries()
    {
        await using var service = await ServiceHost.StartAsync();
        // Stored as if the sanitizer had let them through: the frame's own policy must still hold.
        var html = "<p>Statement</p>" + string.Concat(Enumerable.Range(0, 150).Select(i => $"<img src=\"/api/stats?n={i}\">"))
            + "<img src=\"//127.0.0.1:1/p.gif\"><div style=\"background-image: url(/api/stats?css=1)\">x</div>";
        await InjectedEvents.InjectAsync(service, 1, html: html);
        await using var page = await ChromiumPage.OpenAsync();
        await page.NavigateAsync(service.BaseUri);
        await SignInAsync(page, service);
        await page.WaitUntilAsync("document.getElementById('status').textContent.startsWith('live')", "signed in and caught up");
        await page.WaitUntilAsync("document.querySelectorAll('#emails li').length === 1", "the email is listed");
        using var requests = new RequestCounter(service);

        await OpenFirstEmailAsync(page);

        Assert.Equal(0, requests.Count);
        Assert.StartsWith("<meta http-equiv=\"Content-Security-Policy\"", (await page.EvaluateAsync("document.getElementById('detail-html').srcdoc")).GetString());
        Assert.Equal("live · 1 email", (await page.EvaluateAsync("document.getElementById('status').textContent")).GetString());
    }

    [Fact]
    public async Task Signing_in_shows_the_newest_200_stored_emails_without_replaying_the_rest()
    {
        await using var service = await ServiceHost.StartAsync();
        var injected = await InjectedEvents.InjectAsync(service, 230);
        var store = service.Get<EventStore>();
        await Eventually.TrueAsync(async () => (await store.ReadAfterAsync(0, 1000, CancellationToken.None)).Count == 230, "all 230 are stored");
        await using var page = await ChromiumPage.OpenAsync();
        await page.NavigateAsync(service.BaseUri);

        await SignInAsync(page, service);
        await page.WaitUntilAsync("document.getElementById('status').textContent.startsWith('live')", "signed in and caught up");

        // Only the REST page was loaded: a replay from the start would have counted all 230.
        Assert.Equal("live · 200 emails", (await page.EvaluateAsync("document.getElementById('status').textContent")).GetString());
        var subjects = await page.EvaluateAsync("[...document.querySelectorAll('#emails li strong')].map(s => s.textContent)");
        Assert.Equal(200, subjects.GetArrayLength());
        Assert.Equal($"Injected {injected[^1].Split(':')[^1]} to default", subjects[0].GetString());

        var live = await InjectedEvents.InjectAsync(service, 1);
        await page.WaitUntilAsync($"document.querySelector('#emails li strong').textContent === 'Injected {live[0].Split(':')[^1]} to default'", "a live email goes on top");
    }

    // Opens the first listed email and returns once its frame has loaded: the load event comes
    // after every image has loaded or failed and every handler in it has had its chance to run.
    private static async Task OpenFirstEmailAsync(ChromiumPage page)
    {
        await page.EvaluateAsync("""
            window.frameLoaded = new Promise(resolve => document.getElementById('detail-html').addEventListener('load', resolve, { once: true }));
            document.querySelector('#emails li button.open').click();
            """);
        await page.WaitUntilAsync("!document.getElementById('detail').hidden", "the email is opened");
        await page.EvaluateAsync("window.frameLoaded");
    }

    private static async Task SignInAsync(ChromiumPage page, ServiceHost service) =>
        await page.EvaluateAsync($$"""
            (() => {
              const form = document.getElementById('login');
              form.elements.username.value = {{JsonSerializer.Serialize(ServiceHost.AdminUsername)}};
              form.elements.password.value = {{JsonSerializer.Serialize(service.AdminPassword)}};
              form.requestSubmit();
            })()
            """);

    private static MimeMessage Hostile()
    {
        var builder = new BodyBuilder
        {
            TextBody = "Quarterly numbers attached.",
            HtmlBody = "<p>Quarterly numbers</p><script>parent.pwned='body'</script><img src=x onerror=\"parent.pwned='img'\">",
        };
        var message = new MimeMessage { Subject = HostileSubject, Body = builder.ToMessageBody() };
        message.From.Add(new MailboxAddress("Mallory", "mallory@example.com"));
        message.To.Add(new MailboxAddress("Monitor", "monitor@example.com"));
        return message;
    }
}
