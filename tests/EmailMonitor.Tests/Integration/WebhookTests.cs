using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EmailMonitor.Tests.Support;
using EmailMonitor.Webhooks;
using Microsoft.Extensions.Time.Testing;

namespace EmailMonitor.Tests.Integration;

/// <summary>
/// Webhooks against a real HTTP receiver (Kestrel): signed deliveries of real mail from Dovecot,
/// retries, dead letters sent again, order, filters, a dead receiver beside a live one, SSRF
/// refusals and a service killed mid-delivery.
/// </summary>
public sealed class WebhookTests
{
    [Fact]
    public async Task Every_email_reaches_the_webhook_signed_so_that_an_independent_verifier_accepts_it()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot, variables: v => v["WEBHOOK_ALLOW_PRIVATE"] = "true");
        await Readiness.WaitForMailboxesAsync(service.BaseUri);
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);

        using var created = await admin.SendAsync(HttpMethod.Post, "/api/admin/webhooks", new { url = receiver.Url().ToString() });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var webhook = await ApiClient.ReadAsync(created);
        var secret = webhook.GetProperty("secret").GetString()!;
        var id = webhook.GetProperty("id").GetInt64();
        // Shown once: never again.
        Assert.False((await admin.GetJsonAsync($"/api/admin/webhooks/{id}")).TryGetProperty("secret", out _));
        using (var list = await admin.GetAsync("/api/admin/webhooks"))
        {
            Assert.DoesNotContain(secret, await list.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        await dovecot.AppendAsync(Emails.Numbered("hooked", 3));
        var deliveries = new List<ReceivedWebhook>();
        while (deliveries.Count < 3)
        {
            deliveries.Add(await receiver.NextAsync());
        }

        foreach (var delivery in deliveries)
        {
            Assert.Equal("POST", delivery.Method);
            Assert.Equal("/hook", delivery.Path);
            Assert.StartsWith("application/json", delivery.Headers["content-type"], StringComparison.Ordinal);
            using var body = JsonDocument.Parse(delivery.Body);
            Assert.Equal("new_email", body.RootElement.GetProperty("type").GetString());
            Assert.Equal(delivery.Id, body.RootElement.GetProperty("event_id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.False(body.RootElement.TryGetProperty("html_content", out _));
            Assert.InRange(long.Parse(delivery.Headers["webhook-timestamp"], System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            Assert.True(SignatureHolds(secret, delivery), $"signature {delivery.Headers["webhook-signature"]}");
            Assert.Equal(0, await PythonVerifierAsync(secret, delivery));
            // A body altered on the way does not verify.
            Assert.Equal(1, await PythonVerifierAsync(secret, delivery with { Body = [.. delivery.Body, (byte)' '] }));
        }

        Assert.Equal(
            Enumerable.Range(1, 3).Select(i => $"hooked {i:D3}"),
            deliveries.Select(d => JsonDocument.Parse(d.Body).RootElement.GetProperty("subject").GetString()).Order());
        await Eventually.TrueAsync(
            async () => (await admin.GetJsonAsync($"/api/admin/webhooks/{id}")).GetProperty("last_success_at").ValueKind == JsonValueKind.String,
            "the webhook shows its last success");
        var log = await admin.GetJsonAsync($"/api/admin/webhooks/{id}/deliveries");
        Assert.Equal(3, log.GetArrayLength());
        Assert.All(log.EnumerateArray(), d =>
        {
            Assert.Equal("delivered", d.GetProperty("state").GetString());
            Assert.Equal(204, d.GetProperty("recent_attempts")[0].GetProperty("status").GetInt32());
        });
    }

    [Fact]
    public async Task A_failing_receiver_gets_the_event_again_soon_then_it_dies_after_24_hours_and_an_administrator_sends_it_again()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var receiver = await WebhookReceiver.StartAsync();
        var healthy = false;
        receiver.Answer = (_, _) => Task.FromResult(healthy ? 200 : 503);
        await using var service = await ServiceHost.StartAsync(variables: v => v["WEBHOOK_ALLOW_PRIVATE"] = "true", configure: ServiceHost.UseClock(time));
        var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        var id = await CreateAsync(admin, new { url = receiver.Url().ToString() });

        await InjectedEvents.InjectAsync(service, 1);
        var first = await receiver.NextAsync();
        // About a second after the failure is recorded (on the service's clock), it comes again.
        await DeliveryAsync(admin, id, d => d.GetProperty("attempts").GetInt32() == 1);
        time.Advance(TimeSpan.FromSeconds(2));
        var second = await receiver.NextAsync();
        Assert.Equal(first.Id, second.Id);
        Assert.NotEqual(first.Headers["webhook-timestamp"], second.Headers["webhook-timestamp"]);
        Assert.NotEqual(first.Headers["webhook-signature"], second.Headers["webhook-signature"]);

        // A day of failures later, the next attempt is the last: dead.
        await DeliveryAsync(admin, id, d => d.GetProperty("attempts").GetInt32() == 2);
        time.Advance(TimeSpan.FromHours(24));
        await receiver.NextAsync();
        // The day also ended the first sign-in's access token.
        admin.Dispose();
        admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        var dead = await DeliveryAsync(admin, id, d => d.GetProperty("state").GetString() == "dead");
        Assert.Equal(3, dead.GetProperty("attempts").GetInt32());
        Assert.All(dead.GetProperty("recent_attempts").EnumerateArray(), a => Assert.Equal(503, a.GetProperty("status").GetInt32()));
        Assert.Equal(1, (await admin.GetJsonAsync($"/api/admin/webhooks/{id}")).GetProperty("dead").GetInt32());
        using (var scraper = new HttpClient { BaseAddress = service.BaseUri })
        {
            var metrics = await scraper.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
            Assert.Matches(@"email_monitor_webhook_attempts_total\{[^}]*outcome=""failed""[^}]*\} 2\b", metrics);
            Assert.Matches(@"email_monitor_webhook_attempts_total\{[^}]*outcome=""dead""[^}]*\} 1\b", metrics);
        }

        // Only a dead delivery is sent again; this one is, and arrives.
        healthy = true;
        var deliveryId = dead.GetProperty("id").GetInt64();
        using (var retried = await admin.SendAsync(HttpMethod.Post, $"/api/admin/webhooks/{id}/deliveries/{deliveryId}/retry"))
        {
            Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        }

        Assert.Equal(first.Id, (await receiver.NextAsync()).Id);
        await DeliveryAsync(admin, id, d => d.GetProperty("state").GetString() == "delivered");
        using var again = await admin.SendAsync(HttpMethod.Post, $"/api/admin/webhooks/{id}/deliveries/{deliveryId}/retry");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        using var unknown = await admin.SendAsync(HttpMethod.Post, $"/api/admin/webhooks/{id}/deliveries/999999/retry");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        admin.Dispose();
    }

    [Fact]
    public async Task An_ordered_webhook_sends_each_event_only_after_the_one_before_it_is_delivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // The first event fails twice; the others would succeed at once.
        string? firstId = null;
        receiver.Answer = (request, before) =>
        {
            firstId ??= request.Id;
            return Task.FromResult(request.Id == firstId && before < 2 ? 500 : 204);
        };
        await using var service = await ServiceHost.StartAsync(variables: v => v["WEBHOOK_ALLOW_PRIVATE"] = "true");
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        await CreateAsync(admin, new { url = receiver.Url().ToString(), ordered = true });

        await InjectedEvents.InjectAsync(service, 4);
        var arrived = new List<ReceivedWebhook>();
        while (arrived.Count < 6)
        {
            arrived.Add(await receiver.NextAsync());
        }

        var ids = arrived.Select(r => long.Parse(r.Id!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        TestOutput.WriteLine($"arrival order: {string.Join(", ", ids)}");
        Assert.Equal([ids[0], ids[0], ids[0]], ids.Take(3));
        Assert.Equal(ids.Skip(2).Order(), ids.Skip(2));
        Assert.Equal(4, ids.Distinct().Count());
    }

    [Fact]
    public async Task Filters_decide_which_events_a_webhook_gets_and_a_dead_receiver_delays_no_other_nor_the_websocket()
    {
        await using var stuck = await WebhookReceiver.StartAsync();
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        stuck.Answer = (_, _) => release.Task;
        await using var risky = await WebhookReceiver.StartAsync();
        await using var spf = await WebhookReceiver.StartAsync();
        await using var service = await ServiceHost.StartAsync(variables: v => v["WEBHOOK_ALLOW_PRIVATE"] = "true");
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        await CreateAsync(admin, new { url = stuck.Url().ToString() });
        await CreateAsync(admin, new { url = risky.Url().ToString(), min_risk_score = 50 });
        await CreateAsync(admin, new { url = spf.Url().ToString(), flags = new[] { "spf_fail" }, mailboxes = new[] { "default" } });
        var paused = await CreateAsync(admin, new { url = spf.Url("/paused").ToString(), enabled = false });
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        await InjectedEvents.InjectAsync(service, 2, shape: e => e with { RiskScore = 80, SecurityFlags = ["sender_spoofing"] });
        await InjectedEvents.InjectAsync(service, 2, shape: e => e with { RiskScore = 20, SecurityFlags = ["spf_fail"] });
        await InjectedEvents.InjectAsync(service, 1, shape: e => e with { RiskScore = 0 });

        // While the first receiver holds its requests, the others get theirs, and so does the WebSocket.
        var toRisky = new[] { await risky.NextAsync(), await risky.NextAsync() };
        var toSpf = new[] { await spf.NextAsync(), await spf.NextAsync() };
        for (var i = 0; i < 5; i++)
        {
            await client.ReceiveAsync("new_email");
        }

        Assert.All(toRisky, r => Assert.True(JsonDocument.Parse(r.Body).RootElement.GetProperty("risk_score").GetInt32() >= 50));
        Assert.All(toSpf, r => Assert.Contains("spf_fail", r.Text, StringComparison.Ordinal));
        Assert.Equal(4, (await admin.GetJsonAsync($"/api/admin/webhooks")).EnumerateArray().Count());
        Assert.Equal(0, (await admin.GetJsonAsync($"/api/admin/webhooks/{paused}/deliveries")).GetArrayLength());

        // The stuck receiver gets all five in the end (after its time-outs), nothing more goes to the filtered ones.
        release.SetResult(204);
        var toStuck = new HashSet<string>();
        while (toStuck.Count < 5)
        {
            toStuck.Add((await stuck.NextAsync(TimeSpan.FromSeconds(60))).Id!);
        }

        Assert.Equal(2, risky.All.Count);
        Assert.Equal(2, spf.All.Count);
    }

    [Fact]
    public async Task A_webhook_with_a_long_backlog_keeps_no_other_webhook_waiting()
    {
        await using var failing = await WebhookReceiver.StartAsync();
        failing.Answer = (_, _) => Task.FromResult(500);
        await using var live = await WebhookReceiver.StartAsync();
        await using var service = await ServiceHost.StartAsync(variables: v => v["WEBHOOK_ALLOW_PRIVATE"] = "true");
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        // Ordered behind a head that keeps failing: more due deliveries than one page holds, none sendable.
        var stuck = await CreateAsync(admin, new { url = failing.Url().ToString(), ordered = true });
        await InjectedEvents.InjectAsync(service, 600);
        await Eventually.TrueAsync(async () => (await admin.GetJsonAsync($"/api/admin/webhooks/{stuck}")).GetProperty("pending").GetInt32() == 600, "600 deliveries wait");

        await CreateAsync(admin, new { url = live.Url().ToString() });
        await InjectedEvents.InjectAsync(service, 3);

        var arrived = new HashSet<string>();
        while (arrived.Count < 3)
        {
            arrived.Add((await live.NextAsync()).Id!);
        }

        Assert.All(failing.All, r => Assert.Equal(failing.All[0].Id, r.Id));
    }

    [Fact]
    public async Task Targets_in_the_own_network_are_refused_by_address_after_resolution_and_on_redirects()
    {
        await using var service = await ServiceHost.StartAsync();
        using var admin = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        foreach (var url in new[] { "http://127.0.0.1:9/", "http://[::1]:9/", "http://169.254.169.254/latest/meta-data/", "http://localhost:9/" })
        {
            using var refused = await admin.SendAsync(HttpMethod.Post, "/api/admin/webhooks", new { url });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("WEBHOOK_ALLOW_PRIVATE", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        // A name that resolves to loopback passes the URL check; the delivery is refused once it is resolved.
        var (name, address) = LoopbackName();
        await using var receiver = await WebhookReceiver.StartAsync(address.ToString());
        var id = await CreateAsync(admin, new { url = $"http://{name}:{receiver.BaseUri.Port}/hook" });
        await InjectedEvents.InjectAsync(service, 1);
        var attempt = (await DeliveryAsync(admin, id, d => d.GetProperty("attempts").GetInt32() > 0)).GetProperty("recent_attempts")[0];
        Assert.Contains($"refused: {name} resolves to", attempt.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(receiver.All);

        // Redirects: a receiver that is allowed sends the request on to one that is not.
        await using var first = await WebhookReceiver.StartAsync("127.0.0.1");
        await using var inside = await WebhookReceiver.StartAsync("127.0.0.2");
        using var client = new WebhookClient(allowPrivate: false, isPublic: a => a.Equals(IPAddress.Loopback));
        first.Answer = (_, _) => Task.FromResult(307);
        first.Location = _ => inside.Url().ToString();
        var (status, error) = await client.PostAsync(first.Url(), "{}"u8.ToArray(), [], TestContext.Current.CancellationToken);
        Assert.Contains("refused", error, StringComparison.Ordinal);
        first.Location = _ => $"http://{name}:{inside.BaseUri.Port}/hook";
        (_, error) = await client.PostAsync(first.Url(), "{}"u8.ToArray(), [], TestContext.Current.CancellationToken);
        Assert.Contains("refused", error, StringComparison.Ordinal);
        Assert.Empty(inside.All);

        // A redirect that would turn the POST into a GET is not followed at all.
        first.Answer = (_, _) => Task.FromResult(302);
        first.Location = _ => first.Url("/elsewhere").ToString();
        (status, error) = await client.PostAsync(first.Url(), "{}"u8.ToArray(), [], TestContext.Current.CancellationToken);
        Assert.Equal(302, status);
        Assert.Contains("307, 308", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_killed_mid_delivery_delivers_every_event_after_its_restart()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var hold = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Answer = (_, before) => before == 0 ? hold.Task : Task.FromResult(204);
        using var directory = new TempDirectory();
        var variables = ServiceHost.DefaultVariables(directory.Path, dovecot);
        variables["WEBHOOK_ALLOW_PRIVATE"] = "true";
        // Restarted under the same name, as an operator runs it: it takes back its own claims at once.
        variables["INSTANCE_ID"] = "webhook-test";

        await using (var first = ServiceProcess.Start(variables, directory.Path))
        {
            var uri = await first.ListeningAsync();
            await Readiness.WaitForMailboxesAsync(uri);
            using var admin = await AdminHttp.SignInAsync(uri, variables["ADMIN_PASSWORD"]);
            (await admin.PostAsJsonAsync("/api/admin/webhooks", new { url = receiver.Url().ToString() }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
            await dovecot.AppendAsync(Emails.Numbered("killed", 5));
            // The first delivery is in flight (held by the receiver) when the service dies.
            await receiver.NextAsync();
            await first.KillAsync();
        }

        hold.SetResult(204);
        await using var second = ServiceProcess.Start(variables, directory.Path);
        await second.ListeningAsync();
        await Eventually.TrueAsync(
            () => receiver.All.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("subject").GetString()).Distinct().Count() == 5,
            () => $"all five emails reached the receiver: {string.Join(", ", receiver.All.Select(r => r.Id))}",
            TimeSpan.FromSeconds(60));
        var subjects = receiver.All.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("subject").GetString()).Distinct().Order();
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"killed {i:D3}"), subjects);
    }

    private static async Task<long> CreateAsync(ApiClient admin, object webhook)
    {
        using var response = await admin.SendAsync(HttpMethod.Post, "/api/admin/webhooks", webhook);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (await ApiClient.ReadAsync(response)).GetProperty("id").GetInt64();
    }

    private static async Task<JsonElement> DeliveryAsync(ApiClient admin, long webhook, Func<JsonElement, bool> condition)
    {
        JsonElement found = default;
        await Eventually.TrueAsync(
            async () =>
            {
                var log = await admin.GetJsonAsync($"/api/admin/webhooks/{webhook}/deliveries");
                if (log.GetArrayLength() > 0 && condition(log[0]))
                {
                    found = log[0];
                    return true;
                }

                return false;
            },
            () => $"the delivery log of webhook {webhook} shows what was expected: {found}");
        return found;
    }

    // A name this machine resolves to a loopback address that is neither "localhost" nor a literal:
    // Debian's /etc/hosts gives the host's own name (127.0.1.1) and ip6-localhost (::1).
    private static (string Name, IPAddress Address) LoopbackName()
    {
        foreach (var name in new[] { Dns.GetHostName(), "ip6-localhost", "ip6-loopback" })
        {
            try
            {
                if (Dns.GetHostAddresses(name).FirstOrDefault(IPAddress.IsLoopback) is { } address)
                {
                    return (name, address);
                }
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("No name resolves to a loopback address here (see /etc/hosts); the SSRF test needs one.");
    }

    // Standard Webhooks, written out again here: HMAC-SHA256 over id.timestamp.body with the key after whsec_.
    private static bool SignatureHolds(string secret, ReceivedWebhook delivery)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{delivery.Id}.{delivery.Headers["webhook-timestamp"]}.").Concat(delivery.Body).ToArray();
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
        return delivery.Headers["webhook-signature"].Split(' ').Contains(expected);
    }

    private static async Task<int> PythonVerifierAsync(string secret, ReceivedWebhook delivery)
    {
        var start = new ProcessStartInfo("python3",
        [
            Path.Combine(RepositoryPaths.Root, "docs", "examples", "verify_webhook.py"),
            "--secret", secret, "--id", delivery.Id!, "--timestamp", delivery.Headers["webhook-timestamp"], "--signature", delivery.Headers["webhook-signature"],
        ])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        await process.StandardInput.BaseStream.WriteAsync(delivery.Body);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        TestOutput.WriteLine($"verify_webhook.py: {output.Trim()}");
        return process.ExitCode;
    }
}
