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
