using System.Net;
using System.Text.Json;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Api;

public sealed class EmailsApiTests
{
    [Fact]
    public async Task Stored_emails_come_newest_first_in_pages_that_join_up_without_gap_or_repeat()
    {
        await using var service = await ServiceHost.StartAsync();
        using var api = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        var injected = await InjectedEvents.InjectAsync(service, 7);
        await Eventually.TrueAsync(async () => (await api.GetJsonAsync("/api/emails")).GetProperty("items").GetArrayLength() == 7, "all seven are stored");

        var pages = new List<JsonElement>();
        var path = "/api/emails?limit=3";
        while (true)
        {
            var page = await api.GetJsonAsync(path);
            pages.Add(page);
            if (page.GetProperty("next_before").ValueKind == JsonValueKind.Null)
            {
                break;
            }

            path = $"/api/emails?limit=3&before={page.GetProperty("next_before").GetInt64()}";
        }

        Assert.Equal([3, 3, 1], pages.Select(p => p.GetProperty("items").GetArrayLength()));
        var items = pages.SelectMany(p => p.GetProperty("items").EnumerateArray()).ToList();
        var eventIds = items.Select(i => i.GetProperty("event_id").GetInt64()).ToList();
        Assert.Equal(eventIds.OrderDescending(), eventIds);
        Assert.Equal(injected.Reverse(), items.Select(i => i.GetProperty("id").GetString()));
        Assert.Equal("Injected", items[0].GetProperty("subject").GetString()![..8]);
    }

    [Fact]
    public async Task One_email_is_found_by_its_id_and_an_unknown_id_is_404()
    {
        await using var service = await ServiceHost.StartAsync();
        using var api = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        var id = (await InjectedEvents.InjectAsync(service, 1))[0];
        await Eventually.TrueAsync(async () => (await api.GetAsync($"/api/emails/{id}")).StatusCode == HttpStatusCode.OK, "the email is stored");

        var email = await api.GetJsonAsync($"/api/emails/{id}");

        Assert.Equal(id, email.GetProperty("id").GetString());
        Assert.True(email.GetProperty("event_id").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Array, email.GetProperty("security_flags").ValueKind);
        using var unknown = await api.GetAsync("/api/emails/default:INBOX:1:999999");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Emails_can_be_listed_for_one_folder()
    {
        await using var service = await ServiceHost.StartAsync();
        using var api = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        await InjectedEvents.InjectAsync(service, 2);
        await Eventually.TrueAsync(async () => (await api.GetJsonAsync("/api/emails")).GetProperty("items").GetArrayLength() == 2, "both are stored");

        Assert.Equal(2, (await api.GetJsonAsync("/api/emails?mailbox=default&folder=INJECTED")).GetProperty("items").GetArrayLength());
        Assert.Equal(0, (await api.GetJsonAsync("/api/emails?folder=INBOX")).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_search_finds_emails_by_their_words_and_filters_and_pages_like_the_list()
    {
        await using var service = await ServiceHost.StartAsync();
        using var api = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        var ids = new List<string>();
        ids.AddRange(await InjectedEvents.InjectAsync(service, 3, shape: e => e with { TextContent = "Quarterly BONUS statement" }));
        ids.AddRange(await InjectedEvents.InjectAsync(service, 1, shape: e => e with
        {
            TextContent = "your bonus is waiting",
            SecurityFlags = ["double_extension", "dangerous_attachment"],
            RiskScore = 80,
            Tags = ["lure"],
        }));
        ids.AddRange(await InjectedEvents.InjectAsync(service, 1, shape: e => e with { TextContent = "nothing to see" }));
        await Eventually.TrueAsync(async () => (await api.GetJsonAsync("/api/emails")).GetProperty("items").GetArrayLength() == 5, "all five are stored");

        Assert.Equal([ids[3], ids[2], ids[1], ids[0]], await IdsAsync(api, "/api/emails?q=bonus"));
        Assert.Equal([ids[2], ids[1], ids[0]], await IdsAsync(api, "/api/emails?q=quarterly%20Bonus"));
        Assert.Equal([ids[3]], await IdsAsync(api, "/api/emails?q=bonus&flag=double_extension&min_risk=50&tag=lure"));
        Assert.Empty(await IdsAsync(api, "/api/emails?q=bonus&mailbox=elsewhere"));
        Assert.Empty(await IdsAsync(api, "/api/emails?q=bonus&since=2999-01-01"));

        var first = await api.GetJsonAsync("/api/emails?q=bonus&limit=3");
        var rest = await api.GetJsonAsync($"/api/emails?q=bonus&limit=3&before={first.GetProperty("next_before").GetInt64()}");
        Assert.Equal(3, first.GetProperty("items").GetArrayLength());
        Assert.Equal([ids[0]], rest.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("next_before").ValueKind);
    }

    [Fact]
    public async Task A_search_parameter_that_cannot_mean_anything_is_a_400_naming_it_and_the_service_carries_on()
    {
        await using var service = await ServiceHost.StartAsync();
        using var api = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        string[][] cases =
        [
            ["q=%22%2A%28%29", "'q'"],
            ["q=" + new string('a', 1001), "'q'"],
            ["flag=%27%3B%20DROP%20TABLE%20events%3B--", "'flag'"],
            ["tag=a%20b", "'tag'"],
            ["min_risk=101", "'min_risk'"],
            ["since=2026-12-01T09:30:00", "'since'"],
            ["until=not-a-date", "'until'"],
            ["mailbox=a&mailbox=b", "'mailbox'"],
        ];

        foreach (var (query, parameter) in cases.Select(c => (c[0], c[1])))
        {
            using var response = await api.GetAsync("/api/emails?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(parameter, (await ApiClient.ReadAsync(response)).GetProperty("detail").GetString());
        }

        // The engine's own query syntax is only words, never an error.
        using var syntax = await api.GetAsync("/api/emails?q=" + Uri.EscapeDataString("NOT \"x\" OR y* NEAR(a b) col:z & !w"));
        Assert.Equal(HttpStatusCode.OK, syntax.StatusCode);
        Assert.Equal(JsonValueKind.Array, (await api.GetJsonAsync("/api/emails?q=ok")).GetProperty("items").ValueKind);
    }

    [Fact]
    public async Task An_emails_headers_come_as_they_arrived_with_the_verdicts_its_flags_were_read_from()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot, variables: v => v["AUTH_SERV_ID"] = "mx.example.com");
        using var api = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);
        await Watching.WaitAsync(service);
        var message = Emails.Plain("Headers to read");
        // Lower down, as a sender could forge it: never read.
        message.Headers.Add("Authentication-Results", "mx.example.com; spf=pass smtp.mailfrom=example.com");
        message.Headers.Insert(0, new MimeKit.Header("Authentication-Results", "mx.example.com; spf=fail (sender not permitted) smtp.mailfrom=evil.example; dkim=pass header.d=evil.example"));
        message.Headers.Insert(0, new MimeKit.Header("X-Odd", "<script>alert(1)</script> café"));
        await dovecot.AppendAsync(message);
        JsonElement stored = default;
        await Eventually.TrueAsync(
            async () => (stored = (await api.GetJsonAsync("/api/emails?q=headers")).GetProperty("items").EnumerateArray().FirstOrDefault()).ValueKind == JsonValueKind.Object,
            "the email is stored");
        var id = stored.GetProperty("id").GetString()!;

        var headers = await api.GetJsonAsync($"/api/emails/headers/{Uri.EscapeDataString(id).Replace("%2F", "/", StringComparison.Ordinal)}");

        Assert.Contains("spf_fail", stored.GetProperty("security_flags").EnumerateArray().Select(f => f.GetString()));
        var raw = headers.GetProperty("headers").GetString()!;
        Assert.StartsWith("X-Odd: <script>alert(1)</script> =?utf-8?b?Y2Fmw6k=?=\r\n", raw); // as sent: encoded, not decoded
        Assert.Contains("Subject: Headers to read\r\n", raw);
        Assert.DoesNotContain("Hello from the test", raw);
        Assert.True(headers.GetProperty("known").GetBoolean());
        Assert.Equal("mx.example.com", headers.GetProperty("authentication_server").GetString());
        var verdicts = headers.GetProperty("authentication").EnumerateArray().ToList();
        Assert.Equal(["spf:fail", "dkim:pass"], verdicts.Select(v => $"{v.GetProperty("method").GetString()}:{v.GetProperty("result").GetString()}"));
        Assert.Equal(["smtp.mailfrom=evil.example"], verdicts[0].GetProperty("properties").EnumerateArray().Select(p => p.GetString()));

        using var unknown = await api.GetAsync("/api/emails/headers/default:INBOX:1:999999");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private static async Task<List<string?>> IdsAsync(ApiClient api, string path) =>
        [.. (await api.GetJsonAsync(path)).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString())];

    [Theory]
    [InlineData("/api/emails?limit=0")]
    [InlineData("/api/emails?limit=201")]
    [InlineData("/api/emails?limit=ten")]
    [InlineData("/api/emails?limit=5&limit=6")]
    [InlineData("/api/emails?before=-1")]
    [InlineData("/api/emails?before=1e3")]
    [InlineData("/api/emails?before=99999999999999999999999")]
    public async Task Malformed_paging_is_a_400_naming_the_parameter(string path)
    {
        await using var service = await ServiceHost.StartAsync();
        using var api = await ApiClient.SignInAsync(service, ServiceHost.AdminUsername, service.AdminPassword);

        using var response = await api.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ApiClient.ReadAsync(response);
        var parameter = path.Contains("limit", StringComparison.Ordinal) ? "'limit'" : "'before'";
        Assert.Contains(parameter, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Emails_need_a_valid_token()
    {
        await using var service = await ServiceHost.StartAsync();
        using var anonymous = ApiClient.Anonymous(service);

        using var response = await anonymous.GetAsync("/api/emails");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
