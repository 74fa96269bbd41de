using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Integration;

/// <summary>The dashboard's mailboxes page in a real browser: add, pause, test and remove a mailbox against a real Dovecot.</summary>
public sealed class DashboardMailboxesTests
{
    [Fact]
    public async Task An_administrator_adds_pauses_tests_and_removes_a_mailbox_and_sees_its_live_state()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        var alphaPassword = await dovecot.AddUserAsync("alpha");
        await using var service = await ServiceHost.StartAsync(dovecot);
        await Watching.WaitAsync(service);
        await using var page = await ChromiumPage.OpenAsync();
        await page.NavigateAsync(service.BaseUri);
        await DashboardForms.SignInAsync(page, ServiceHost.AdminUsername, service.AdminPassword);
        await page.WaitUntilAsync("!document.getElementById('tab-mailboxes').hidden", "the mailboxes tab is offered to an administrator");

        await page.EvaluateAsync("document.getElementById('tab-mailboxes').click()");
        await page.WaitUntilAsync(Row("default") + "?.querySelector('.state')?.textContent === 'watching'", "the default mailbox is listed as watching");

        // A bad name is refused with the field named, and nothing is added.
        await DashboardForms.SubmitAsync(page, "mailbox-form", new() { ["name"] = "Bad Name", ["username"] = "alpha", ["host"] = "127.0.0.1", ["port"] = dovecot.ImapPort.ToString(), ["security"] = "none", ["password"] = alphaPassword });
        await page.WaitUntilAsync("document.getElementById('mailbox-errors').textContent.includes('name:')", "the bad name is reported");

        await DashboardForms.SubmitAsync(page, "mailbox-form", new() { ["name"] = "alpha", ["username"] = "alpha", ["host"] = "127.0.0.1", ["port"] = dovecot.ImapPort.ToString(), ["security"] = "none", ["password"] = alphaPassword });
        await page.WaitUntilAsync(Row("alpha") + "?.querySelector('.state')?.textContent === 'watching'", "alpha is added and watched", TimeSpan.FromSeconds(20));

        await page.EvaluateAsync(Row("alpha") + ".querySelector('button[aria-label=\"Pause alpha\"]').click()");
        await page.WaitUntilAsync(Row("alpha") + "?.querySelector('.state')?.textContent === 'paused'", "alpha is paused");

        await page.EvaluateAsync(Row("alpha") + ".querySelector('button[aria-label=\"Test alpha\"]').click()");
        await page.WaitUntilAsync("document.getElementById('mailbox-test-title').textContent.includes('every step succeeded')", "the test passed");
        var steps = (await page.EvaluateAsync("document.getElementById('mailbox-test-steps').textContent")).GetString()!;
        Assert.Contains("authentication: ok, logged in as alpha", steps);
        Assert.Contains("folder INBOX: ok", steps);

        await page.EvaluateAsync("window.confirm = () => true; " + Row("alpha") + ".querySelector('button[aria-label=\"Remove alpha\"]').click()");
        await page.WaitUntilAsync(Row("alpha") + " === null", "alpha is gone");

        var page2 = (await page.EvaluateAsync("document.body.textContent")).GetString()!;
        Assert.DoesNotContain(alphaPassword, page2);
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        Assert.Equal(["default"], (await admin.GetJsonAsync("/api/admin/mailboxes")).EnumerateArray().Select(m => m.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task A_viewer_is_not_offered_the_mailboxes_page()
    {
        await using var service = await ServiceHost.StartAsync();
        using (var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword))
        {
            await admin.SendAsync(HttpMethod.Post, "/api/admin/users", new { username = "vera", password = "viewer-password-123", role = "viewer" });
        }

        await using var page = await ChromiumPage.OpenAsync();
        await page.NavigateAsync(service.BaseUri);
        await DashboardForms.SignInAsync(page, "vera", "viewer-password-123");
        await page.WaitUntilAsync("!document.getElementById('tabs').hidden", "signed in");

        Assert.True((await page.EvaluateAsync("document.getElementById('tab-mailboxes').hidden")).GetBoolean());
    }

    private static string Row(string name) => $"document.querySelector('#mailbox-table tr[data-name=\"{name}\"]')";
}
