using System.Net.WebSockets;
using EmailMonitor.Cli;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Cli;

/// <summary>CONTRACT §2 on the built executable: options, exit codes, output, signals.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task Version_prints_the_name_and_a_semantic_version()
    {
        using var directory = new TempDirectory();

        var (exitCode, output) = await ServiceProcess.RunAsync(new Dictionary<string, string>(), directory.Path, "--version");

        Assert.Equal(0, exitCode);
        Assert.Matches(@"^email-monitor \d+\.\d+\.\d+\s*$", output);
    }

    [Fact]
    public async Task Help_describes_every_option()
    {
        using var directory = new TempDirectory();

        var (exitCode, output) = await ServiceProcess.RunAsync(new Dictionary<string, string>(), directory.Path, "--help");

        Assert.Equal(0, exitCode);
        foreach (var option in new[] { "Usage: email-monitor", "--debug", "--config PATH", "--test-email", "--health", "--version", "--help" })
        {
            Assert.Contains(option, output);
        }
    }

    [Fact]
    public async Task Help_names_the_commit_the_build_came_from()
    {
        using var directory = new TempDirectory();
        var (gitExit, gitOutput) = await Exec.RunAsync("git", ["-C", RepositoryPaths.Root, "rev-parse", "HEAD"]);
        var head = gitOutput.Trim();
        Assert.True(gitExit == 0 && head.Length == 40, "the tests run from a git checkout, whose commit the build records");

        var (exitCode, output) = await ServiceProcess.RunAsync(new Dictionary<string, string>(), directory.Path, "--help");

        Assert.Equal(0, exitCode);
        Assert.StartsWith($"email-monitor {CommandLine.Version} (commit {head[..12]}): ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--frobnicate")]
    [InlineData("--config")]
    [InlineData("extra-argument")]
    public async Task A_usage_error_exits_2_and_says_what_was_wrong(string argument)
    {
        using var directory = new TempDirectory();

        var (exitCode, output) = await ServiceProcess.RunAsync(new Dictionary<string, string>(), directory.Path, argument);

        Assert.Equal(2, exitCode);
        Assert.Contains(argument, output);
        Assert.Contains("--help", output);
    }

    [Fact]
    public async Task A_config_file_that_does_not_exist_is_a_usage_error()
    {
        using var directory = new TempDirectory();

        var (exitCode, output) = await ServiceProcess.RunAsync(Valid(directory), directory.Path, "--config", directory.Combine("missing.env"));

        Assert.Equal(2, exitCode);
        Assert.Contains("--config: file", output);
        Assert.Contains("missing.env", output);
    }

    [Fact]
    public async Task Test_email_reports_every_step_and_never_prints_the_password()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        await dovecot.AppendAsync(Emails.Numbered("existing", 2));
        using var directory = new TempDirectory();
        var variables = ServiceHost.DefaultVariables(directory.Path, dovecot);

        var (exitCode, output) = await ServiceProcess.RunAsync(variables, directory.Path, "--test-email");

        Assert.Equal(0, exitCode);
        Assert.Contains($"{dovecot.User} at 127.0.0.1:{dovecot.ImapPort}", output);
        Assert.Contains("TLS              ok, none: plain text", output);
        Assert.Contains("authentication   ok", output);
        Assert.Contains("IDLE             supported", output);
        Assert.Contains("folder INBOX     ok, 2 messages", output);
        Assert.Contains("Result: every step succeeded", output);
        Assert.DoesNotContain(dovecot.Password, output);
    }

    [Theory]
    [InlineData("authentication")]
    [InlineData("connect")]
    [InlineData("DNS")]
    [InlineData("folder")]
    public async Task Test_email_names_the_step_that_failed_and_exits_1(string step)
    {
        await using var dovecot = await DovecotServer.StartAsync();
        using var directory = new TempDirectory();
        var variables = ServiceHost.DefaultVariables(directory.Path, dovecot);
        switch (step)
        {
            case "authentication":
                variables["EMAIL_PASSWORD"] = "wrong-password-123";
                break;
            case "connect":
                variables["EMAIL_PORT"] = FreePort.Next().ToString();
                break;
            case "DNS":
                variables["EMAIL_SERVER"] = "no-such-host.invalid";
                variables["EMAIL_ALLOW_INSECURE"] = "true";
                break;
            default:
                variables["EMAIL_FOLDER"] = "NoSuchFolder";
                break;
        }

        var (exitCode, output) = await ServiceProcess.RunAsync(variables, directory.Path, "--test-email");

        Assert.Equal(1, exitCode);
        Assert.Contains($"Result: the {step} step failed", output);
        Assert.DoesNotContain(variables["EMAIL_PASSWORD"], output);
    }

    [Fact]
    public async Task Settings_come_from_the_environment_then_the_config_file_then_defaults_with_secrets_masked()
    {
        using var directory = new TempDirectory();
        var file = directory.Combine("monitor.env");
        await File.WriteAllTextAsync(file, """
            # settings for the precedence test
            EMAIL_SERVER=127.0.0.1
            EMAIL_PORT=1
            EMAIL_SECURITY=none
            export EMAIL_USERNAME="file-user"
            EMAIL_PASSWORD='file-secret-password'
            EMAIL_FOLDER=FromFile # trailing comment
            """, TestContext.Current.CancellationToken);
        var variables = new Dictionary<string, string>
        {
            ["EMAIL_FOLDER"] = "FromEnvironment",
            ["DATA_DIR"] = directory.Combine("data"),
            ["LOG_DIR"] = directory.Combine("logs"),
        };

        var (_, output) = await ServiceProcess.RunAsync(variables, directory.Path, "--config", file, "--test-email");

        Assert.Contains("EMAIL_FOLDER=FromEnvironment  [environment]", output);
        Assert.Contains($"EMAIL_USERNAME=file-user  [{file}]", output);
        Assert.Contains("EMAIL_PASSWORD=********", output);
        Assert.Contains("EMAIL_CHECK_INTERVAL=30  [default]", output);
        Assert.DoesNotContain("file-secret-password", output);
    }

    [Fact]
    public async Task Without_config_the_dotenv_file_in_the_working_directory_is_read()
    {
        using var directory = new TempDirectory();
        await File.WriteAllTextAsync(directory.Combine(".env"), "EMAIL_SERVER=127.0.0.1\nEMAIL_SECURITY=none\nEMAIL_PORT=1\n", TestContext.Current.CancellationToken);
        var variables = new Dictionary<string, string>
        {
            ["EMAIL_USERNAME"] = "someone",
            ["EMAIL_PASSWORD"] = "something-secret",
        };

        var (exitCode, output) = await ServiceProcess.RunAsync(variables, directory.Path, "--test-email");

        Assert.Equal(1, exitCode);
        Assert.Contains("someone at 127.0.0.1:1", output);
        Assert.Contains("Result: the connect step failed", output);
    }

    [Fact]
    public async Task Health_exits_0_while_the_service_beside_it_lives_and_1_when_it_is_gone()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        using var directory = new TempDirectory();
        var variables = ServiceHost.DefaultVariables(directory.Path, dovecot);
        variables["WEBSOCKET_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using (var service = ServiceProcess.Start(variables, directory.Path))
        {
            await service.ListeningAsync();

            var (alive, answer) = await ServiceProcess.RunAsync(variables, directory.Path, "--health");

            Assert.Equal(0, alive);
            Assert.Contains($"/health/live: 200 alive", answer, StringComparison.Ordinal);
            await service.KillAsync();
        }

        var (gone, silence) = await ServiceProcess.RunAsync(variables, directory.Path, "--health");

        Assert.Equal(1, gone);
        Assert.Contains("no answer", silence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_closes_websockets_with_1001_and_exits_0()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        using var directory = new TempDirectory();
        var variables = ServiceHost.DefaultVariables(directory.Path, dovecot);
        await using var service = ServiceProcess.Start(variables, directory.Path);
        var uri = await service.ListeningAsync();
        await using var client = await WsClient.ConnectAsync(new UriBuilder(uri) { Scheme = "ws", Path = "/ws" }.Uri);
        await client.LoginAsync(ServiceHost.AdminUsername, variables["ADMIN_PASSWORD"]);

        await service.SignalAsync("TERM");

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await client.WaitForCloseAsync());
        Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("Application is shutting down", service.Output);
    }

    [Fact]
    public async Task Debug_writes_debug_lines_to_the_console()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        using var directory = new TempDirectory();
        var variables = ServiceHost.DefaultVariables(directory.Path, dovecot);
        await using var service = ServiceProcess.Start(variables, directory.Path, "--debug");
        var uri = await service.ListeningAsync();
        await Readiness.WaitForMailboxesAsync(uri);
        await dovecot.AppendAsync(Emails.Plain("debug me"));

        await Eventually.TrueAsync(() => service.Output.Contains(" DBG ") && service.Output.Contains("Fetching 1 messages"), "a debug line on the console");
        await service.SignalAsync("INT");
        Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    private static Dictionary<string, string> Valid(TempDirectory directory) => ServiceHost.DefaultVariables(directory.Path, null);
}
