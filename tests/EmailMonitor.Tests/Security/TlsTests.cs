using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Security;

/// <summary>HTTPS/WSS from SSL_CERT_FILE and SSL_KEY_FILE, with a certificate the test makes.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task With_a_certificate_the_service_speaks_only_https_and_wss_over_tls_12_or_later()
    {
        using var directory = new TempDirectory();
        var certificates = TestCertificates.Create(directory.Combine("certificates"));
        await using var service = await StartWithTlsAsync(certificates);
        var seen = new List<X509Certificate2>();
        using var https = TrustingClient(certificates, service, seen);

        using var response = await https.GetAsync("/health/live", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("https", service.BaseUri.Scheme);
        Assert.Equal("CN=localhost", seen[^1].Subject);

        await using var client = await WsClient.ConnectAsync(
            service.WebSocketUri, configure: options => options.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificates.Trusts(new X509Certificate2(certificate!)));
        await client.LoginAsync(ServiceHost.AdminUsername, service.AdminPassword);

        using var plain = new HttpClient { BaseAddress = new UriBuilder(service.BaseUri) { Scheme = "http" }.Uri };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync("/health/live", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_renewed_certificate_is_served_without_a_restart()
    {
        using var directory = new TempDirectory();
        var certificates = TestCertificates.Create(directory.Combine("certificates"));
        await using var service = await StartWithTlsAsync(certificates, configure: "00:00:00.500");
        var seen = new List<X509Certificate2>();
        using (var first = TrustingClient(certificates, service, seen))
        {
            await first.GetAsync("/health/live", TestContext.Current.CancellationToken);
        }

        var original = seen[^1].SerialNumber;
        TestCertificates.Create(directory.Combine("certificates"));

        await Eventually.TrueAsync(
            async () =>
            {
                // A new client each time: a reused connection would not show a new handshake.
                using var again = TrustingClient(TestCertificates.Create(directory.Combine("unused")), service, seen, acceptAny: true);
                await again.GetAsync("/health/live", TestContext.Current.CancellationToken);
                return seen[^1].SerialNumber != original;
            },
            "the renewed certificate is served",
            TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Production_over_https_sends_strict_transport_security()
    {
        using var directory = new TempDirectory();
        var certificates = TestCertificates.Create(directory.Combine("certificates"));
        await using var service = await StartWithTlsAsync(certificates, environment: "production");
        using var https = TrustingClient(certificates, service, []);

        using var response = await https.GetAsync("/health/live", TestContext.Current.CancellationToken);

        Assert.StartsWith("max-age=", response.Headers.GetValues("Strict-Transport-Security").Single());
    }

    private static Task<ServiceHost> StartWithTlsAsync(TestCertificates certificates, string environment = "development", string? configure = null) =>
        ServiceHost.StartAsync(
            variables: v =>
            {
                v["SSL_CERT_FILE"] = certificates.ServerCertificatePath;
                v["SSL_KEY_FILE"] = certificates.ServerKeyPath;
                v["ENVIRONMENT"] = environment;
            },
            configure: builder =>
            {
                if (configure is not null)
                {
                    builder.Configuration["Server:CertificateReloadInterval"] = configure;
                }
            });

    private static HttpClient TrustingClient(TestCertificates certificates, ServiceHost service, List<X509Certificate2> seen, bool acceptAny = false) =>
        new(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    var presented = new X509Certificate2(certificate!);
                    seen.Add(presented);
                    return acceptAny || certificates.Trusts(presented);
                },
            },
        })
        { BaseAddress = service.BaseUri };
}
