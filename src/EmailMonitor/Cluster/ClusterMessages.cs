using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using EmailMonitor.Auth;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Cluster;

/// <summary>
/// Seals what instances tell each other through Redis with an HMAC keyed from JWT_SECRET_KEY (which
/// every instance of a deployment shares), so that whoever else can publish on that Redis cannot
/// inject events, lift blocks or close connections; each message carries when it was sealed and a
/// random nonce under the seal, so one captured there cannot be played again later, nor twice.
/// Also names this process, so it recognises its own messages even if another process were
/// started under the same INSTANCE_ID.
/// </summary>
internal sealed class ClusterMessages(SigningKey root, IOptions<ClusterOptions> options, TimeProvider time)
{
    /// <summary>How far a message's seal may be from this instance's clock (clocks kept by NTP, delivery in milliseconds).</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(30);

    private const int MacBytes = 32;
    private const int StampBytes = 8;
    private const int NonceBytes = 8;
    private const int HeaderBytes = MacBytes + StampBytes + NonceBytes;
    private const int MaxRemembered = 1_000_000;
    private static readonly byte[] KeyInfo = "email-monitor/cluster-messages/v2"u8.ToArray();

    private readonly Lazy<byte[]> _key = new(() => HKDF.DeriveKey(HashAlgorithmName.SHA256, root.Key.Key, 32, salt: [], info: KeyInfo));

    // Nonces of messages opened within the freshness window (either side of now), with their stamps.
    private readonly ConcurrentDictionary<ulong, long> _seen = new();
    private long _forgottenAt;

    // Made when first used: reading the options any earlier (services are built before the
    // options are validated) would turn a malformed INSTANCE_ID into a crash instead of exit 2.
    private readonly Lazy<string> _sender = new(() => options.Value.ResolvedInstanceId + "/" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));

    /// <summary>This process: its INSTANCE_ID and a random part of its own.</summary>
    public string Sender => _sender.Value;

    public byte[] Seal(ReadOnlySpan<byte> json)
    {
        var sealedMessage = new byte[HeaderBytes + json.Length];
        BinaryPrimitives.WriteInt64BigEndian(sealedMessage.AsSpan(MacBytes, StampBytes), time.GetUtcNow().ToUnixTimeMilliseconds());
        RandomNumberGenerator.Fill(sealedMessage.AsSpan(MacBytes + StampBytes, NonceBytes));
        json.CopyTo(sealedMessage.AsSpan(HeaderBytes));
        HMACSHA256.HashData(_key.Value, sealedMessage.AsSpan(MacBytes), sealedMessage.AsSpan(0, MacBytes));
        return sealedMessage;
    }

    /// <summary>
    /// The JSON of a message sealed by an instance of this deployment within <see cref="Freshness"/>
    /// and not opened before; null for anything else.
    /// </summary>
    public ReadOnlyMemory<byte>? Open(ReadOnlyMemory<byte> message)
    {
        if (message.Length <= HeaderBytes)
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

        var stamp = BinaryPrimitives.ReadInt64BigEndian(message.Span.Slice(MacBytes, StampBytes));
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var window = (long)Freshness.TotalMilliseconds;
        if (Math.Abs(now - stamp) > window)
        {
            return null;
        }

        Forget(now, window);
        var nonce = BinaryPrimitives.ReadUInt64BigEndian(message.Span.Slice(MacBytes + StampBytes, NonceBytes));
        if (!_seen.TryAdd(nonce, stamp))
        {
            return null;
        }

        return message[HeaderBytes..];
    }

    // A nonce older than the window cannot come back: its message is refused as stale.
    private void Forget(long now, long window)
    {
        var last = Interlocked.Read(ref _forgottenAt);
        if ((now - last < window && _seen.Count < MaxRemembered) || Interlocked.CompareExchange(ref _forgottenAt, now, last) != last)
        {
            return;
        }

        foreach (var (nonce, stamp) in _seen)
        {
            if (stamp < now - window)
            {
                _seen.TryRemove(KeyValuePair.Create(nonce, stamp));
            }
        }
    }
}
