using System.Net.Http.Headers;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Integration;

/// <summary>
/// What a default deployment (SQLite, no Redis, no trace collector) keeps out of its process: the
/// clients and stacks only other deployments use, each of which would stay mapped and compiled in
/// memory for nothing.
/// </summary>
public sealed class FootprintTests
{
    [Fact]
    public async Task A_default_deployment_that_has_handled_mail_and_requests_has_not_loaded_the_PostgreSQL_Redis_or_OTLP_clients_nor_XML_nor_expression_trees()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        using var directory = new TempDirectory();
        var variables = ServiceHost.DefaultVariables(directory.Path, dovecot);
        variables.Remove("DATABASE_URL");
        await using var service = ServiceProcess.Start(variables, directory.Path);
        var uri = await service.ListeningAsync();
        await Readiness.WaitForMailboxesAsync(uri);

        // An email through the whole path, a sign-in and an authenticated REST call: what runs per
        // email and per request has run.
        await using var client = await WsClient.ConnectAsync(new UriBuilder(uri) { Scheme = "ws", Path = "/ws" }.Uri);
        var signedIn = await client.LoginAsync(ServiceHost.AdminUsername, variables["ADMIN_PASSWORD"]);
        await dovecot.AppendAsync(Emails.Numbered("footprint", 1));
        await client.ReceiveAsync("new_email");
        using var http = new HttpClient { BaseAddress = uri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", signedIn.GetProperty("access_token").GetString());
        (await http.GetAsync(new Uri("/api/stats", UriKind.Relative), TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        var loaded = File.ReadLines($"/proc/{service.Id}/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && fields[5].EndsWith(".dll", StringComparison.Ordinal))
            .Select(fields => Path.GetFileName(fields[5]))
            .ToHashSet();
        TestOutput.WriteLine(string.Join(' ', loaded.Order()));
        // The check sees assemblies at all: the ones every deployment runs on.
        Assert.Contains("MailKit.dll", loaded);
        Assert.Contains("Microsoft.Data.Sqlite.dll", loaded);
        Assert.DoesNotContain("Npgsql.dll", loaded);
        Assert.DoesNotContain("StackExchange.Redis.dll", loaded);
        Assert.DoesNotContain("OpenTelemetry.Exporter.OpenTelemetryProtocol.dll", loaded);
        Assert.DoesNotContain("System.Private.Xml.dll", loaded);
        Assert.DoesNotContain("Microsoft.AspNetCore.DataProtection.dll", loaded);
        // Nothing on the paths above compiles expression trees (the log lines are formatted by hand).
        Assert.DoesNotContain("System.Linq.Expressions.dll", loaded);
    }
}
