using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Storage;

/// <summary>DATABASE_URL against a real PostgreSQL server: what start-up says when the server cannot be used, without the password.</summary>
public sealed class PostgresStartupTests
{
    [Fact]
    public async Task Wrong_password_stops_start_up_saying_so_without_the_password()
    {
        var url = new UriBuilder(PostgresServer.Shared.CreateDatabase()) { Password = "Wrong-Password-4711" }.Uri.ToString();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(url));

        Assert.Contains("refused the user name or password", error.Message);
        Assert.DoesNotContain("Wrong-Password-4711", error.Message);
    }

    [Fact]
    public async Task A_database_that_does_not_exist_is_named()
    {
        var url = new UriBuilder(PostgresServer.Shared.CreateDatabase()) { Path = "/never_created" }.Uri.ToString();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(url));

        Assert.Contains($"127.0.0.1:{PostgresServer.Shared.Port}/never_created: the database does not exist", error.Message);
    }

    [Fact]
    public async Task A_server_that_never_answers_is_waited_for_then_named()
    {
        var url = new UriBuilder(PostgresServer.Shared.CreateDatabase()) { Port = FreePort.Next() }.Uri.ToString();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(url, patience: "00:00:01"));

        Assert.Matches(@"could not reach 127\.0\.0\.1:\d+/t_\w+ within 1 s", error.Message);
    }

    [Fact]
    public async Task The_service_keeps_its_users_in_postgresql_not_in_its_data_directory()
    {
        var url = PostgresServer.Shared.CreateDatabase();
        string password;
        await using (var first = await ServiceHost.StartAsync(variables: v => v["DATABASE_URL"] = url))
        {
            password = first.AdminPassword;
            using var api = await ApiClient.SignInAsync(first, ServiceHost.AdminUsername, password);
            Assert.False(File.Exists(Path.Combine(first.Variables["DATA_DIR"], "email-monitor.db")), "no SQLite file beside PostgreSQL");
        }

        // Another directory and another ADMIN_PASSWORD (used only when there are no users): the
        // administrator made by the first service, in PostgreSQL, signs in.
        await using var second = await ServiceHost.StartAsync(variables: v => v["DATABASE_URL"] = url);
        Assert.NotEqual(password, second.AdminPassword);
        using var again = await ApiClient.SignInAsync(second, ServiceHost.AdminUsername, password);
    }

    private static async Task StartAsync(string url, string? patience = null)
    {
        await using var service = await ServiceHost.StartAsync(
            variables: v => v["DATABASE_URL"] = url,
            configure: builder => builder.Configuration["Storage:StartupPatience"] = patience ?? "00:00:30");
    }
}
