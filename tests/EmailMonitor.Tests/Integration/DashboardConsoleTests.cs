using System.Net;
using System.Text.Json;
using EmailMonitor.Security;
using EmailMonitor.Tests.Analysis;
using EmailMonitor.Tests.Support;
using MimeKit;

namespace EmailMonitor.Tests.Integration;

/// <summary>
/// The web console in Debian's Chromium, as a desk uses it: triage with search, filters and the
/// keyboard; why an email was flagged; status; the admin pages; a restart; a phone; hostile mail;
/// and an axe-core audit of every view. With EMAIL_MONITOR_SCREENSHOTS set to a directory, each
/// view is also saved there as a PNG (docs/screenshots comes from this).
/// </summary>
public sealed class DashboardConsoleTests
{
    [Fact]
    public async Task An_analyst_triages_with_search_filters_and_the_keyboard_and_reads_why_an_email_was_flagged()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot, variables: v => v["AUTH_SERV_ID"] = "mx.example.com");
        await Watching.WaitAsync(service);
        await using var page = await ChromiumPage.OpenAsync();
        await page.SetViewportAsync(1280, 900, mobile: false);
        await page.NavigateAsync(service.BaseUri);
        await DashboardForms.SignInAsync(page, ServiceHost.AdminUsername, service.AdminPassword);
        await page.WaitUntilAsync("document.getElementById('status').textContent.startsWith('live')", "signed in and caught up");

        await dovecot.AppendAsync(Newsletter());
        await dovecot.AppendAsync(Lure());
        await dovecot.AppendAsync(AuthenticationFailure());
        await page.WaitUntilAsync("document.querySelectorAll('#emails li').length === 3", "the three emails arrive live");
        // The header's count follows the list without a reload.
        await page.WaitUntilAsync("document.getElementById('status').textContent === 'live · 3 emails'", "the header counts the three");

        // Risk and flags in words, not colour alone.
        var rows = await TextsAsync(page, "#emails li");
        Assert.Contains(rows, row => row.Contains("Overdue invoice", StringComparison.Ordinal) && row.Contains("risk 100 · critical", StringComparison.Ordinal) && row.Contains("⚑ double_extension", StringComparison.Ordinal));
        Assert.Contains(rows, row => row.Contains("Monthly newsletter", StringComparison.Ordinal) && row.Contains("risk 0 · none", StringComparison.Ordinal));
        await SaveScreenshotAsync(page, "triage");

        // Search: the words, through the server.
        await page.PressAsync("/");
        Assert.Equal("search", (await page.EvaluateAsync("document.activeElement.id")).GetString());
        await page.EvaluateAsync("document.getElementById('search').value = 'INVOICE'; document.getElementById('filters').requestSubmit()");
        await page.WaitUntilAsync("document.querySelectorAll('#emails li').length === 1", "the search finds the lure alone");
        Assert.Contains("Overdue invoice", (await TextsAsync(page, "#emails li strong"))[0]);
        Assert.Contains("1 email found", (await page.EvaluateAsync("document.getElementById('list-state').textContent")).GetString());

        // A filter: by flag, with no words.
        await page.EvaluateAsync("document.getElementById('clear-filters').click()");
        await page.WaitUntilAsync("document.querySelectorAll('#emails li').length === 3", "cleared: all three again");
        await page.EvaluateAsync("const f = document.getElementById('filters').elements.namedItem('flag'); f.value = 'spf_fail'; f.dispatchEvent(new Event('change', { bubbles: true }))");
        await page.WaitUntilAsync("document.querySelectorAll('#emails li').length === 1", "the flag filter keeps the authentication failure");
        Assert.Contains("Quarterly report", (await TextsAsync(page, "#emails li strong"))[0]);
        await page.EvaluateAsync("const r = document.getElementById('filters').elements.namedItem('min_risk'); document.getElementById('clear-filters').click(); r.value = '50'; r.dispatchEvent(new Event('change', { bubbles: true }))");
        await page.WaitUntilAsync("document.querySelectorAll('#emails li').length === 2", "risk 50 or more: the lure and the authentication failure");
        await page.EvaluateAsync("document.getElementById('clear-filters').click()");
        await page.WaitUntilAsync("document.querySelectorAll('#emails li').length === 3", "cleared again");

        // The keyboard: j to the list, j to the second, k back, Enter opens, Esc closes.
        await page.EvaluateAsync("document.activeElement.blur()");
        await page.PressAsync("j");
        await page.PressAsync("j");
        await page.PressAsync("k");
        Assert.Contains("Quarterly report", (await page.EvaluateAsync("document.activeElement.textContent")).GetString());
        await page.PressAsync("j");
        Assert.Contains("Overdue invoice", (await page.EvaluateAsync("document.activeElement.textContent")).GetString());
        await page.PressAsync("Enter");
        await page.WaitUntilAsync("!document.getElementById('detail').hidden", "Enter opens the email");

        Assert.Equal("Overdue invoice", (await page.EvaluateAsync("document.getElementById('detail-subject').textContent")).GetString());
        var why = (await page.EvaluateAsync("document.getElementById('detail-why').textContent")).GetString()!;
        Assert.Contains("hides its real type behind a harmless-looking one", why);
        Assert.Contains("Found in: invoice.pdf.exe", why);
        Assert.Contains("The name shows \"ceo@bank.example\", the mail came from attacker@evil.example", why);
        var attachment = (await page.EvaluateAsync("document.querySelector('#detail-attachments tbody tr').textContent")).GetString()!;
        Assert.Contains("invoice.pdf.exe", attachment);
        Assert.Contains("application/vnd.microsoft.portable-executable (declared application/pdf)", attachment);
        Assert.Matches("[0-9a-f]{64}", attachment);
        await page.EvaluateAsync("document.querySelector('#detail-attachments tbody button').click()");
        await page.WaitUntilAsync("document.getElementById('copy-state').textContent.includes('copied')", "the SHA-256 is copied");
        await SaveScreenshotAsync(page, "email");
        await AssertAccessibleAsync(page, "the triage view with an email open");

        await page.PressAsync("Escape");
        await page.WaitUntilAsync("document.getElementById('detail').hidden", "Esc closes the email");
        Assert.Contains("Overdue invoice", (await page.EvaluateAsync("document.activeElement.textContent")).GetString());

        // The authentication failure: its headers and the verdicts its flags came from, on demand.
        await page.EvaluateAsync("[...document.querySelectorAll('#emails li button.open')].find(b => b.textContent.includes('Quarterly report')).click()");
        await page.WaitUntilAsync("document.getElementById('detail-subject').textContent === 'Quarterly report'", "the authentication failure is open");
        Assert.Contains("SPF failed", (await page.EvaluateAsync("document.getElementById('detail-why').textContent")).GetString());
        await page.EvaluateAsync("document.getElementById('show-headers').click()");
        await page.WaitUntilAsync("document.getElementById('raw-headers').textContent.includes('Authentication-Results')", "the raw headers are shown");
        var verdicts = await TextsAsync(page, "#auth-results tbody tr");
        Assert.Contains(verdicts, v => v.StartsWith("spf✗ fail", StringComparison.Ordinal) && v.Contains("smtp.mailfrom=bank.example", StringComparison.Ordinal));
        Assert.Contains(verdicts, v => v.StartsWith("dmarc✗ fail", StringComparison.Ordinal));
        Assert.Equal("true", (await page.EvaluateAsync("document.getElementById('show-headers').getAttribute('aria-expanded')")).GetString());
    }

    [Fact]
    public async Task An_administrator_reads_the_status_manages_users_and_lifts_a_block_and_every_view_fits_a_phone()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot, variables: v => v["BLOCKED_IPS"] = "192.0.2.0/24");
        await Watching.WaitAsync(service);
        service.Get<BlockList>().Block(IPAddress.Parse("198.51.100.7"), "10 failed logins", TimeSpan.FromMinutes(15));
        await dovecot.AppendAsync(Lure());
        await using var page = await ChromiumPage.OpenAsync();
        await page.SetViewportAsync(1280, 900, mobile: false);
        await page.NavigateAsync(service.BaseUri);
        await AssertAccessibleAsync(page, "the sign-in page");
        await DashboardForms.SignInAsync(page, ServiceHost.AdminUsername, service.AdminPassword);
        await page.WaitUntilAsync("document.getElementById('status').textContent.startsWith('live')", "signed in and caught up");
        await page.WaitUntilAsync("document.querySelectorAll('#emails li').length === 1", "the lure is listed");

        // Status: figures now, the hour's chart, flags, and each mailbox's state.
        await page.EvaluateAsync("document.getElementById('tab-status').click()");
        await page.WaitUntilAsync("document.querySelectorAll('#stat-cards .stat').length === 7", "the figures are shown");
        var cards = await TextsAsync(page, "#stat-cards .stat");
        Assert.Contains("Emails processed1", cards);
        Assert.Contains("Blocked addresses1", cards); // blocked now by the service; the listed network is configuration
        Assert.StartsWith("1 email over ", (await page.EvaluateAsync("document.querySelector('#chart-hour svg').getAttribute('aria-label')")).GetString());
        Assert.Contains("⚑ double_extension1", await TextsAsync(page, "#flagged-table tbody tr"));
        Assert.Contains("● watching", (await TextsAsync(page, "#folder-table tbody tr"))[0]);
        await SaveScreenshotAsync(page, "status");
        await AssertAccessibleAsync(page, "the status view");

        // Users: create a viewer limited to one mailbox, promote, disable.
        await page.EvaluateAsync("document.getElementById('tab-users').click()");
        await page.WaitUntilAsync("document.querySelectorAll('#user-table tbody tr').length === 1", "the users are listed");
        await DashboardForms.SubmitAsync(page, "user-form", new() { ["username"] = "short", ["password"] = "too-short", ["role"] = "viewer" });
        await page.WaitUntilAsync("document.getElementById('user-errors').textContent.includes('password')", "a short password is refused with its reason");
        await DashboardForms.SubmitAsync(page, "user-form", new() { ["username"] = "analyst", ["password"] = "analyst-password-1", ["role"] = "viewer", ["mailboxes"] = "default" });
        await page.WaitUntilAsync("document.querySelector('#user-table tr[data-username=\"analyst\"]') !== null", "the viewer is added");
        Assert.Contains("viewer✓ enableddefault", (await page.EvaluateAsync("document.querySelector('#user-table tr[data-username=\"analyst\"]').textContent")).GetString());
        await page.EvaluateAsync("document.querySelector('#user-table tr[data-username=\"analyst\"] button[aria-label=\"Disable: analyst\"]').click()");
        await page.WaitUntilAsync("document.querySelector('#user-table tr[data-username=\"analyst\"]').textContent.includes('✗ disabled')", "the viewer is disabled");
        using (var refused = ApiClient.Anonymous(service))
        {
            using var login = await refused.SendAsync(HttpMethod.Post, "/api/auth/login", new { username = "analyst", password = "analyst-password-1" });
            Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        }

        await SaveScreenshotAsync(page, "users");
        await AssertAccessibleAsync(page, "the users page");

        // Blocked addresses: the listed network cannot be lifted here, the automatic block can.
        await page.EvaluateAsync("document.getElementById('tab-blocks').click()");
        await page.WaitUntilAsync("document.querySelectorAll('#block-table tbody tr').length === 2", "both blocks are listed");
        Assert.Equal(0, (await page.EvaluateAsync("document.querySelectorAll('#block-table tr[data-ip=\"192.0.2.0/24\"] button').length")).GetInt32());
        await page.EvaluateAsync("document.querySelector('#block-table tr[data-ip=\"198.51.100.7\"] button').click()");
        await page.WaitUntilAsync("document.getElementById('block-message').textContent.includes('198.51.100.7 may connect again')", "the block is lifted");
        Assert.Null(service.Get<BlockList>().Find(IPAddress.Parse("198.51.100.7")));
        await AssertAccessibleAsync(page, "the blocked addresses page");
        await page.EvaluateAsync("document.getElementById('tab-mailboxes').click()");
        await page.WaitUntilAsync("document.querySelectorAll('#mailbox-table tbody tr').length === 1", "the mailboxes are listed");
        await AssertAccessibleAsync(page, "the mailboxes page");
        await page.EvaluateAsync("document.getElementById('tab-automation').click()");
        await page.WaitUntilAsync("!document.getElementById('automation').hidden", "the webhooks and rules page is shown");
        await AssertAccessibleAsync(page, "the webhooks and rules page");

        // A phone: no view scrolls sideways.
        await page.SetViewportAsync(375, 667, mobile: true);
        foreach (var tab in new[] { "inbox", "status", "users", "blocks", "mailboxes", "automation" })
        {
            await page.EvaluateAsync($"document.getElementById('tab-{tab}').click()");
            await page.WaitUntilAsync("document.readyState === 'complete'", "the view is drawn");
            if (tab == "inbox")
            {
                await SaveScreenshotAsync(page, "phone");
                await page.EvaluateAsync("document.querySelector('#emails li button.open').click()");
                await page.WaitUntilAsync("!document.getElementById('detail').hidden", "the email is open on the phone");
            }

            var width = await page.EvaluateAsync("[document.documentElement.scrollWidth, window.innerWidth]");
            Assert.True(width[0].GetInt32() <= width[1].GetInt32(), $"the {tab} view is {width[0]} px wide on a {width[1]} px phone");
        }
    }

    [Fact]
    public async Task After_the_service_restarts_the_console_shows_that_it_reconnects_and_the_mail_that_arrived_meanwhile()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        var port = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var first = await ServiceHost.StartAsync(dovecot, variables: v => v["WEBSOCKET_PORT"] = port);
        await Watching.WaitAsync(first);
        await dovecot.AppendAsync(Emails.Plain("before the restart"));
        await using var page = await ChromiumPage.OpenAsync();
        await page.NavigateAsync(first.BaseUri);
        await DashboardForms.SignInAsync(page, ServiceHost.AdminUsername, first.AdminPassword);
        await page.WaitUntilAsync("document.querySelectorAll('#emails li').length === 1", "the first email is listed");

        await first.StopAsync();
        await page.WaitUntilAsync("document.getElementById('connection').dataset.state === 'reconnecting'", "the console says it lost the connection");
        Assert.Contains("reconnecting", (await page.EvaluateAsync("document.getElementById('connection').textContent")).GetString());
        await dovecot.AppendAsync(Emails.Numbered("while stopped", 3));
        await using var second = await first.StartAgainAsync();

        await page.WaitUntilAsync("document.querySelectorAll('#emails li').length === 4", "the mail that arrived meanwhile is shown", TimeSpan.FromSeconds(60));
        await page.WaitUntilAsync("document.getElementById('connection').dataset.state === 'live'", "the console says it is connected again");
        var subjects = await TextsAsync(page, "#emails li strong");
        Assert.Equal(["while stopped 003", "while stopped 002", "while stopped 001", "before the restart"], subjects);
    }

    [Fact]
    public async Task Hostile_mail_in_every_field_runs_nothing_when_listed_and_opened()
    {
        await using var service = await ServiceHost.StartAsync();
        var sanitizer = new EmailMonitor.Analysis.EmailHtmlSanitizer(Microsoft.Extensions.Options.Options.Create(new EmailMonitor.Analysis.AnalysisOptions()));
        var vectors = XssCorpus.Vectors;
        await InjectedEvents.InjectAsync(service, vectors.Count, shape: e =>
        {
            var vector = vectors[int.Parse(e.Id.Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture) % vectors.Count];
            return e with
            {
                Subject = vector,
                SenderName = vector,
                Sender = vector,
                Recipients = [vector],
                TextContent = vector,
                HtmlContent = sanitizer.Sanitize(vector).Html,
                Tags = [vector],
                SecurityFlags = [vector],
                Attachments = [new EmailMonitor.Analysis.AttachmentInfo { Filename = vector, ContentType = vector, DetectedType = vector, Sha256 = vector, Flags = [vector] }],
            };
        });
        await using var page = await ChromiumPage.OpenAsync();
        await page.NavigateAsync(service.BaseUri);
        await page.EvaluateAsync("window.__ran = []; window.__xss = (n) => window.__ran.push(n)");
        await DashboardForms.SignInAsync(page, ServiceHost.AdminUsername, service.AdminPassword);
        await page.WaitUntilAsync($"document.querySelectorAll('#emails li').length === {vectors.Count}", "every hostile email is listed");

        var opened = await page.EvaluateAsync("""
            (async () => {
              for (const button of document.querySelectorAll('#emails li button.open')) {
                button.click();
                document.getElementById('show-headers').click();
                await new Promise(resolve => setTimeout(resolve, 10));
                document.getElementById('show-headers').click();
              }
              await new Promise(resolve => setTimeout(resolve, 500));
              return document.querySelectorAll('#emails li button.open').length;
            })()
            """);

        Assert.Equal(vectors.Count, opened.GetInt32());
        Assert.Equal(0, (await page.EvaluateAsync("window.__ran.length")).GetInt32());
        Assert.Equal(0, (await page.EvaluateAsync("document.querySelectorAll('#emails img, #emails svg, #emails script, #detail img, #detail script, #detail iframe:not(#detail-html)').length")).GetInt32());
    }

    private static async Task<List<string>> TextsAsync(ChromiumPage page, string selector) =>
        [.. (await page.EvaluateAsync($"[...document.querySelectorAll({JsonSerializer.Serialize(selector)})].map(e => e.textContent)")).EnumerateArray().Select(e => e.GetString()!)];

    // axe-core (tests/accessibility, installed by scripts/test) in the page: no serious or critical violation.
    private static async Task AssertAccessibleAsync(ChromiumPage page, string view)
    {
        if ((await page.EvaluateAsync("typeof window.axe")).GetString() != "object")
        {
            var axe = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "tests", "accessibility", "node_modules", "axe-core", "axe.min.js"));
            await page.EvaluateAsync(axe);
        }

        var violations = await page.EvaluateAsync("""
            axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`))
            """);
        Assert.True(violations.GetArrayLength() == 0, $"axe-core found in {view}:\n{string.Join("\n", violations.EnumerateArray())}");
    }

    private static async Task SaveScreenshotAsync(ChromiumPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("EMAIL_MONITOR_SCREENSHOTS") is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
            await File.WriteAllBytesAsync(Path.Combine(directory, $"{name}.png"), await page.ScreenshotAsync());
        }
    }

    private static MimeMessage Newsletter()
    {
        var message = Emails.Plain("Monthly newsletter", "Our news this month: a new office and a summer party.");
        message.From.Clear();
        message.From.Add(new MailboxAddress("Example News", "news@example.com"));
        return message;
    }

    // A spoofed display name and a double extension that is really a Windows program.
    private static MimeMessage Lure()
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("ceo@bank.example", "attacker@evil.example"));
        message.To.Add(new MailboxAddress("Monitor", "monitor@example.com"));
        message.Subject = "Overdue invoice";
        var body = new BodyBuilder { TextBody = "Please pay the attached invoice today." };
        body.Attachments.Add("invoice.pdf.exe", [(byte)'M', (byte)'Z', .. new byte[510]], new ContentType("application", "pdf"));
        message.Body = body.ToMessageBody();
        return message;
    }

    private static MimeMessage AuthenticationFailure()
    {
        var message = Emails.Plain("Quarterly report", "The figures are attached to the portal.");
        message.Headers.Insert(0, new Header("Authentication-Results", "mx.example.com; spf=fail smtp.mailfrom=bank.example; dkim=none; dmarc=fail header.from=bank.example"));
        return message;
    }
}
