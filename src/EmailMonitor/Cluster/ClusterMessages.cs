using System.Security.Cryptography;
using EmailMonitor.Auth;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Cluster;

/// <summary>
/// Seals what instances tell each other through Redis with an HMAC keyed from JWT_SECRET_KEY (which
/// every instance of a deployment shares), so that whoever else can publish on that Redis cannot
/// inject events, lift blocks or close connections; and names this process, so it recognises its
/// own messages even if another process were started under the same INSTANCE_ID.
/// </summary>
internal sealed class ClusterMessages(SigningKey root, IOptions<ClusterOptions> options)
{
    private const int MacBytes = 32;
    private static readonly byte[] KeyInfo = "email-monitor/cluster-messages/v1"u8.ToArray();

    private readonly Lazy<byte[]> _key = new(() => HKDF.DeriveKey(HashAlgorithmName.SHA256, root.Key.Key, 32, salt: [], info: KeyInfo));

    // Made when first used: reading the options any earlier (services are built before the
    // options are validated) would turn a malformed INSTANCE_ID into a crash instead of exit 2.
    private readonly Lazy<string> _sender = new(() => options.Value.ResolvedInstanceId + "/" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));

    /// <summary>This process: its INSTANCE_ID and a random part of its own.</summary>
    public string Sender => _sender.Value;

    public byte[] Seal(ReadOnlySpan<byte> json)
    {
        var sealedMessage = new byte[MacBytes + json.Length];
        HMACSHA256.HashData(_key.Value, json, sealedMessage.AsSpan(0, MacBytes));
        json.CopyTo(sealedMessage.AsSpan(MacBytes));
        return sealedMessage;
    }

    /// <summary>The JSON of a message sealed by an instance of this deployment; null for anything else.</summary>
    public ReadOnlyMemory<byte>? Open(ReadOnlyMemory<byte> message)
    {
        if (message.Length <= MacBytes)
        {
            return null;
        }

        Span<byte> expected = stackalloc byte[MacBytes];
        HMACSHA256.HashData(_key.Value, message.Span[MacBytes..], expected);
        // Not a conditional expression: its null would become an empty message (byte[] converts to memory).
        if (!CryptographicOperations.FixedTimeEquals(expected, message.Span[..MacBytes]))
        {
            return null;
        }

        return message[MacBytes..];
    }
}
