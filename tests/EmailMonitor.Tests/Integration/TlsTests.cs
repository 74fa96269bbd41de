using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Integration;

/// <summary>IMAP over implicit TLS and STARTTLS against Dovecot with a certificate made by the test.</summary>
public sealed class TlsTests
{
    [Theory]
    [InlineData("ssl")]
    [InlineData("starttls")]
    public async Task Test_email_reaches_a_tls_server_whose_certificate_is_trusted(string security)
    {
        using var directory = new TempDirectory();
        var certificates = TestCertificates.Create(directory.Combine("certificates"));
        var imapsPort = FreePort.Next();
        await using var dovecot = await DovecotServer.StartAsync(extraConfig: certificates.DovecotConfig(imapsPort));
        var variables = ServiceHost.DefaultVariables(directory.Path, dovecot);
        variables["EMAIL_SECURITY"] = security;
        variables["EMAIL_PORT"] = (security == "ssl" ? imapsPort : dovecot.ImapPort).ToString();
        variables["SSL_CERT_DIR"] = certificates.TrustDirectory;

        var (exitCode, output) = await ServiceProcess.RunAsync(variables, directory.Path, "--test-email");

        Assert.Equal(0, exitCode);
        Assert.Matches(@"TLS\s+ok, Tls1[23]", output);
        Assert.Contains("Result: every step succeeded", output);
    }

    [Fact]
    public async Task An_untrusted_certificate_fails_at_the_tls_step()
    {
        using var directory = new TempDirectory();
        var certificates = TestCertificates.Create(directory.Combine("certificates"));
        var imapsPort = FreePort.Next();
        await using var dovecot = await DovecotServer.StartAsync(extraConfig: certificates.DovecotConfig(imapsPort));
        var variables = ServiceHost.DefaultVariables(directory.Path, dovecot);
        variables["EMAIL_SECURITY"] = "ssl";
        variables["EMAIL_PORT"] = imapsPort.ToString();
        variables["SSL_CERT_DIR"] = directory.Combine("empty-trust-store");
        Directory.CreateDirectory(variables["SSL_CERT_DIR"]);

        var (exitCode, output) = await ServiceProcess.RunAsync(variables, directory.Path, "--test-email");

        Assert.Equal(1, exitCode);
        Assert.Contains("Result: the TLS step failed", output);
    }

    [Fact]
    public async Task Email_over_implicit_tls_reaches_a_websocket_client()
    {
        using var directory = new TempDirectory();
        var certificates = TestCertificates.Create(directory.Combine("certificates"));
        var imapsPort = FreePort.Next();
        await using var dovecot = await DovecotServer.StartAsync(extraConfig: certificates.DovecotConfig(imapsPort));
        var variables = ServiceHost.DefaultVariables(directory.Path, dovecot);
        variables["EMAIL_SECURITY"] = "ssl";
        variables["EMAIL_PORT"] = imapsPort.ToString();
        variables["SSL_CERT_DIR"] = certificates.TrustDirectory;
        await using var service = ServiceProcess.Start(variables, directory.Path);
        var uri = await service.ListeningAsync();
        await Readiness.WaitForMailboxesAsync(uri);
        await using var client = await WsClient.ConnectAsync(new UriBuilder(uri) { Scheme = "ws", Path = "/ws" }.Uri);
        await client.LoginAsync(ServiceHost.AdminUsername, variables["ADMIN_PASSWORD"]);

        await dovecot.AppendAsync(Emails.Plain("sent over TLS"));

        Assert.Equal("sent over TLS", (await client.ReceiveAsync("new_email")).GetProperty("subject").GetString());
    }
}
