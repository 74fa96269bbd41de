using System.Security.Cryptography;
using System.Text;

namespace EmailMonitor.Webhooks;

/// <summary>
/// Secrets and signatures as the Standard Webhooks specification has them: a secret is
/// <c>whsec_</c> and the base64 of a random key; a delivery's <c>webhook-signature</c> is
/// <c>v1,</c> and the base64 of HMAC-SHA256(key, id + "." + timestamp + "." + body), one such
/// entry per key in force, separated by spaces.
/// </summary>
internal static class WebhookSecret
{
    public const string Prefix = "whsec_";
    public const int MinKeyBytes = 24;
    public const int MaxKeyBytes = 64;
    private const int NewKeyBytes = 32;

    /// <summary>What is wrong with a secret <see cref="TryReadKey"/> refuses.</summary>
    public static readonly string Problem = $"must be {Prefix} followed by the base64 of {MinKeyBytes} to {MaxKeyBytes} random bytes";

    public static string New() => Format(RandomNumberGenerator.GetBytes(NewKeyBytes));

    public static string Format(byte[] key) => Prefix + Convert.ToBase64String(key);

    /// <summary>The key of a secret written as <c>whsec_</c> + base64 of 24–64 bytes; null for anything else.</summary>
    public static byte[]? TryReadKey(string secret)
    {
        if (!secret.StartsWith(Prefix, StringComparison.Ordinal) || secret.Length > Prefix.Length + 4 * ((MaxKeyBytes + 2) / 3))
        {
            return null;
        }

        var buffer = new byte[MaxKeyBytes];
        return Convert.TryFromBase64String(secret[Prefix.Length..], buffer, out var written) && written >= MinKeyBytes ? buffer[..written] : null;
    }

    /// <summary>The <c>webhook-signature</c> header of one attempt, signed with every key given.</summary>
    public static string Sign(IEnumerable<byte[]> keys, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return string.Join(' ', keys.Select(key => "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content))));
    }
}
