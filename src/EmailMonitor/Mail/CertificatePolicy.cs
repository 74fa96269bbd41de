using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace EmailMonitor.Mail;

/// <summary>
/// How a mail server's certificate is judged: it must chain to a trusted root and match the host
/// name. Revocation is checked, but a status that could not be learned (no CRL or OCSP reachable,
/// as behind a firewall or with a private CA that publishes none) does not fail the connection —
/// the soft-fail browsers use. A certificate known to be revoked still fails.
/// </summary>
internal static class CertificatePolicy
{
    private const X509ChainStatusFlags UnknownRevocation =
        X509ChainStatusFlags.RevocationStatusUnknown | X509ChainStatusFlags.OfflineRevocation;

    public static readonly RemoteCertificateValidationCallback Validate = (_, _, chain, errors) => Accepts(chain, errors);

    public static bool Accepts(X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        return errors == SslPolicyErrors.RemoteCertificateChainErrors
            && chain is not null
            && chain.ChainStatus.All(status => (status.Status & ~UnknownRevocation) == X509ChainStatusFlags.NoError);
    }
}
