using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Observability;

/// <summary>
/// With OTEL_EXPORTER_OTLP_ENDPOINT set, each email's way through the service (fetch from Dovecot,
/// analyse, store, push to a WebSocket client) reaches an OTLP/HTTP receiver as one trace.
/// </summary>
public sealed class TracingTests
{
    [Fact]
    public async Task One_email_is_one_trace_of_fetch_analyse_store_and_push_exported_over_otlp()
    {
        await using var collector = await WebhookReceiver.StartAsync();
        collector.Answer = (_, _) => Task.FromResult(200);
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot, variables: v =>
        {
            v["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.BaseUri.ToString();
            v["OTEL_EXPORTER_OTLP_HEADERS"] = "x-collector-key=k3y";
            v["INSTANCE_ID"] = "traced-1";
        });
        await Readiness.WaitForMailboxesAsync(service.BaseUri);
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        await dovecot.AppendAsync(Emails.Plain("Quarterly figures"));
        var email = await client.ReceiveAsync("new_email");
        var messageId = email.GetProperty("id").GetString()!;

        var spans = new List<OtlpSpan>();
        await Eventually.TrueAsync(
            () =>
            {
                spans = [.. collector.All.Where(r => r.Path == "/v1/traces").SelectMany(r => OtlpTraces.Read(r.Body))];
                return spans.Count(s => s.Name.StartsWith("email.", StringComparison.Ordinal)) >= 4;
            },
            () => $"four spans of the email exported; have: {string.Join(", ", spans.Select(s => s.Name))}",
            TimeSpan.FromSeconds(30));

        var fetch = Assert.Single(spans, s => s.Name == "email.fetch");
        Assert.Equal(string.Empty, fetch.ParentSpanId);
        Assert.Equal("default", fetch.Attributes["email.mailbox"]);
        Assert.Equal("INBOX", fetch.Attributes["email.folder"]);
        Assert.Equal(messageId, fetch.Attributes["email.message_id"]);
        foreach (var stage in new[] { "email.analyse", "email.store", "email.push" })
        {
            var span = Assert.Single(spans, s => s.Name == stage);
            Assert.Equal(fetch.TraceId, span.TraceId);
            Assert.Equal(fetch.SpanId, span.ParentSpanId);
        }

        var eventId = email.GetProperty("event_id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(eventId, Assert.Single(spans, s => s.Name == "email.store").Attributes["email.event_id"]);
        Assert.Equal(eventId, Assert.Single(spans, s => s.Name == "email.push").Attributes["email.event_id"]);
        Assert.Equal("email-monitor", fetch.Resource["service.name"]);
        Assert.Equal("traced-1", fetch.Resource["service.instance.id"]);
        // What a collector is told of the mail: where it is, never who sent it or what it says.
        Assert.DoesNotContain(spans.SelectMany(s => s.Attributes.Values), value => value.Contains("Quarterly", StringComparison.Ordinal));
        Assert.All(collector.All, request => Assert.Equal("k3y", request.Headers["x-collector-key"]));
    }

    [Fact]
    public async Task A_mailbox_added_through_the_api_traces_its_mail_in_traces_of_its_own_not_in_the_requests()
    {
        await using var collector = await WebhookReceiver.StartAsync();
        collector.Answer = (_, _) => Task.FromResult(200);
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot, variables: v => v["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.BaseUri.ToString());
        using var admin = await AdminHttp.SignInAsync(service.BaseUri, service.AdminPassword);

        // The request comes with a sampled trace of the caller's: the mailbox's sessions start inside it.
        const string callersTrace = "0af7651916cd43dd8448eb211c80319c";
        using var add = new HttpRequestMessage(HttpMethod.Post, "/api/admin/mailboxes")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new
            {
                name = "beta", host = "127.0.0.1", port = dovecot.ImapPort, security = "none", username = dovecot.User, password = dovecot.Password,
            }),
        };
        add.Headers.Add("traceparent", $"00-{callersTrace}-b7ad6b7169203331-01");
        using (var added = await admin.SendAsync(add, TestContext.Current.CancellationToken))
        {
            Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        await Eventually.TrueAsync(
            async () => (await admin.GetStringAsync("/health/ready", TestContext.Current.CancellationToken)).Contains("\"mailbox\":\"beta\",\"folder\":\"INBOX\",\"state\":\"watching\"", StringComparison.Ordinal),
            "the mailbox beta is watched",
            TimeSpan.FromSeconds(30));
        await dovecot.AppendAsync(Emails.Plain("Through the API"));

        OtlpSpan? fetch = null;
        await Eventually.TrueAsync(
            () =>
            {
                fetch = collector.All.Where(r => r.Path == "/v1/traces").SelectMany(r => OtlpTraces.Read(r.Body))
                    .FirstOrDefault(s => s.Name == "email.fetch" && s.Attributes.GetValueOrDefault("email.mailbox") == "beta");
                return fetch is not null;
            },
            "the fetch span of the mailbox beta is exported",
            TimeSpan.FromSeconds(30));

        Assert.Equal(string.Empty, fetch!.ParentSpanId);
        Assert.NotEqual(callersTrace, fetch.TraceId);
    }

    [Fact]
    public async Task A_collector_that_is_down_costs_the_mail_nothing()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await using var service = await ServiceHost.StartAsync(dovecot, variables: v =>
            v["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{FreePort.Next()}");
        await Readiness.WaitForMailboxesAsync(service.BaseUri);
        await using var client = await WsClient.ConnectAsync(service.WebSocketUri);
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        await dovecot.AppendAsync(Emails.Numbered("Traced into the void", 3));

        for (var i = 0; i < 3; i++)
        {
            Assert.StartsWith("Traced into the void", (await client.ReceiveAsync("new_email")).GetProperty("subject").GetString(), StringComparison.Ordinal);
        }

        Assert.True(service.Get<EmailMonitor.Observability.EmailTracing>().Source.HasListeners());
    }

    [Fact]
    public async Task Without_an_endpoint_nothing_listens_to_the_email_spans()
    {
        await using var service = await ServiceHost.StartAsync();

        Assert.False(service.Get<EmailMonitor.Observability.EmailTracing>().Source.HasListeners());
    }
}
