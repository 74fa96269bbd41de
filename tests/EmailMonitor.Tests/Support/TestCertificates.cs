using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EmailMonitor.Tests.Support;

/// <summary>A private CA and a server certificate for 127.0.0.1 and localhost, made by the test itself.</summary>
internal sealed class TestCertificates
{
    private TestCertificates(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    /// <summary>A directory holding only the CA, for SSL_CERT_DIR: a process that uses it trusts the server.</summary>
    public string TrustDirectory => Path.Combine(Directory, "trust");

    public string ServerCertificatePath => Path.Combine(Directory, "server.pem");

    public string ServerKeyPath => Path.Combine(Directory, "server.key");

    public X509Certificate2 Authority => X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(TrustDirectory, "test-ca.pem")));

    /// <summary>True when <paramref name="certificate"/> chains to this test CA (and to nothing else).</summary>
    public bool Trusts(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        return chain.Build(certificate);
    }

    public static TestCertificates Create(string directory)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Email Monitor Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = serverRequest.Create(ca, now.AddDays(-1), now.AddDays(29), RandomNumberGenerator.GetBytes(16));

        var certificates = new TestCertificates(directory);
        System.IO.Directory.CreateDirectory(certificates.TrustDirectory);
        File.WriteAllText(Path.Combine(certificates.TrustDirectory, "test-ca.pem"), ca.ExportCertificatePem());
        File.WriteAllText(certificates.ServerCertificatePath, server.ExportCertificatePem());
        File.WriteAllText(certificates.ServerKeyPath, serverKey.ExportPkcs8PrivateKeyPem());
        return certificates;
    }

    /// <summary>Dovecot settings that add implicit TLS on <paramref name="imapsPort"/> and STARTTLS on the plain port.</summary>
    public string DovecotConfig(int imapsPort) => $$"""
        ssl = yes
        ssl_cert = <{{ServerCertificatePath}}
        ssl_key = <{{ServerKeyPath}}
        service imap-login {
          inet_listener imaps {
            address = 127.0.0.1
            port = {{imapsPort}}
          }
        }
        """;
}
