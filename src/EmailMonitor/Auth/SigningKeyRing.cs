using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using EmailMonitor.Storage;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace EmailMonitor.Auth;

/// <summary>
/// The keys that sign and check access tokens, each named by a <c>kid</c>. The newest signs; an
/// older one keeps validating until every token it signed has expired, so a rotation never forces
/// anyone to sign in again. Keys live in the database, sealed with a key derived from
/// JWT_SECRET_KEY, so every instance sharing the database and the secret shares the ring, and a
/// copy of the database alone cannot sign anything.
/// </summary>
/// <remarks>
/// JWT_SECRET_KEY itself is the root of the ring: it signs until the first rotation and always
/// validates (tokens without a <c>kid</c>, from before the ring, included). Whoever holds it can
/// open every ring key anyway, so retiring it would protect nothing.
/// </remarks>
internal sealed class SigningKeyRing(
    Database database, SigningKey root, IOptions<AuthOptions> options, TimeProvider time, ILogger<SigningKeyRing> logger) : IDisposable
{
    private const int KeyBytes = 32;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private static readonly TimeSpan UnknownKidReloadInterval = TimeSpan.FromSeconds(5);
    private static readonly byte[] WrappingInfo = "email-monitor/signing-key-ring/v1"u8.ToArray();

    private readonly SemaphoreSlim _reload = new(1, 1);
    private Ring _ring = Ring.Empty;
    private long _lastUnknownKidReload;

    /// <summary>The key new tokens are signed with.</summary>
    public SymmetricSecurityKey Current => Volatile.Read(ref _ring).Keys is [.., var newest] ? newest.Key : RootKey;

    private SymmetricSecurityKey RootKey => root.Key;

    // How long an older key validates after its successor appeared: a token lifetime, plus the time
    // other instances may go on signing with it before they read the ring again.
    private TimeSpan ValidationWindow => options.Value.AccessTokenLifetime + options.Value.SigningKeyReload + AuthOptions.ClockSkew;

    public void Dispose() => _reload.Dispose();

    /// <summary>Loads the ring, recording when the root key began to sign on a first start.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var command = connection.Command("""
            INSERT INTO signing_keys (kid, sealed_key, created_at) VALUES (@kid, NULL, @now)
            ON CONFLICT (kid) DO NOTHING
            """))
        {
            command.AddText("@kid", RootKey.KeyId);
            command.AddText("@now", StoredTime.Format(time.GetUtcNow()));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await ReloadAsync(cancellationToken);
    }

    /// <summary>Reads the ring again, as another instance may have rotated it.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await _reload.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = connection.Command("SELECT kid, sealed_key, created_at FROM signing_keys ORDER BY created_at, kid");
            var keys = new List<RingKey>();
            var rootSince = DateTimeOffset.MaxValue;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var kid = reader.GetString(0);
                var createdAt = StoredTime.Parse(reader.GetString(2));
                if (kid == RootKey.KeyId)
                {
                    rootSince = createdAt;
                }
                else if (!reader.IsDBNull(1) && Unwrap(kid, (byte[])reader[1]) is { } key)
                {
                    keys.Add(new RingKey(kid, key, createdAt));
                }
            }

            Volatile.Write(ref _ring, new Ring(keys, rootSince));
        }
        finally
        {
            _reload.Release();
        }
    }

    /// <summary>
    /// The key that checks a token signed under <paramref name="kid"/> (none: the root), or null when
    /// no key of that name may validate now. A name not yet known is looked up once in a while, as
    /// another instance may just have rotated.
    /// </summary>
    public async Task<SymmetricSecurityKey?> ForValidationAsync(string? kid, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(kid) || kid == RootKey.KeyId)
        {
            return RootKey;
        }

        var ring = Volatile.Read(ref _ring);
        if (ring.Find(kid) is null)
        {
            // Bounded, so tokens with made-up names cannot turn into a query each.
            var last = Interlocked.Read(ref _lastUnknownKidReload);
            if (time.GetElapsedTime(last) < UnknownKidReloadInterval || Interlocked.CompareExchange(ref _lastUnknownKidReload, time.GetTimestamp(), last) != last)
            {
                return null;
            }

            await ReloadAsync(cancellationToken);
            ring = Volatile.Read(ref _ring);
        }

        return ring.Find(kid) is { } index && ring.ValidatesAt(index, time.GetUtcNow(), ValidationWindow)
            ? ring.Keys[index].Key
            : null;
    }

    /// <summary>
    /// Adds a new signing key. With <paramref name="ifOlderThan"/>, only when the newest key (or the
    /// root) has signed at least that long: instances running the schedule together rotate once.
    /// Returns the new key's name, or null when no rotation was due.
    /// </summary>
    public async Task<string?> RotateAsync(TimeSpan? ifOlderThan, CancellationToken cancellationToken)
    {
        var kid = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var material = RandomNumberGenerator.GetBytes(KeyBytes);
        var now = time.GetUtcNow();
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var transaction = await database.Sql.BeginWriteAsync(connection, cancellationToken))
        {
            await connection.ExecuteAsync(database.Sql.Lock(Writers.SigningKeys), cancellationToken, transaction);
            if (ifOlderThan is { } age && await NewestAsync(connection, transaction, cancellationToken) is { } newest && now - newest < age)
            {
                return null;
            }

            await using var insert = connection.Command("INSERT INTO signing_keys (kid, sealed_key, created_at) VALUES (@kid, @key, @now)", transaction);
            insert.AddText("@kid", kid);
            insert.AddBytes("@key", Wrap(kid, material));
            insert.AddText("@now", StoredTime.Format(now));
            await insert.ExecuteNonQueryAsync(cancellationToken);

            // Keys retired for a day are of no more use to anyone.
            await using var prune = connection.Command("""
                DELETE FROM signing_keys WHERE sealed_key IS NOT NULL
                  AND EXISTS (SELECT 1 FROM signing_keys later WHERE later.created_at > signing_keys.created_at AND later.created_at < @retired)
                """, transaction);
            prune.AddText("@retired", StoredTime.Format(now - options.Value.AccessTokenLifetime - TimeSpan.FromDays(1)));
            await prune.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        CryptographicOperations.ZeroMemory(material);
        await ReloadAsync(cancellationToken);
        logger.SigningKeyRotated(kid);
        return kid;
    }

    /// <summary>Every key with what it does now, newest last; never the key material.</summary>
    public IReadOnlyList<SigningKeyState> Describe()
    {
        var ring = Volatile.Read(ref _ring);
        var now = time.GetUtcNow();
        var window = ValidationWindow;
        var states = new List<SigningKeyState>
        {
            new(RootKey.KeyId, ring.RootSince == DateTimeOffset.MaxValue ? null : ring.RootSince, ring.Keys.Count == 0 ? "signing" : "validating", "JWT_SECRET_KEY"),
        };
        for (var i = 0; i < ring.Keys.Count; i++)
        {
            var state = i == ring.Keys.Count - 1 ? "signing" : ring.ValidatesAt(i, now, window) ? "validating" : "retired";
            states.Add(new SigningKeyState(ring.Keys[i].Kid, ring.Keys[i].CreatedAt, state, "ring"));
        }

        return states;
    }

    private static async Task<DateTimeOffset?> NewestAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT max(created_at) FROM signing_keys", transaction);
        return await command.ExecuteScalarAsync(cancellationToken) is string text ? StoredTime.Parse(text) : null;
    }

    private byte[] WrappingKey() => HKDF.DeriveKey(HashAlgorithmName.SHA256, RootKey.Key, KeyBytes, salt: [], info: WrappingInfo);

    private byte[] Wrap(string kid, byte[] material)
    {
        var wrapped = new byte[NonceBytes + TagBytes + material.Length];
        var nonce = wrapped.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(WrappingKey(), TagBytes);
        aes.Encrypt(nonce, material, wrapped.AsSpan(NonceBytes + TagBytes), wrapped.AsSpan(NonceBytes, TagBytes), Encoding.UTF8.GetBytes(kid));
        return wrapped;
    }

    private SymmetricSecurityKey? Unwrap(string kid, byte[] wrapped)
    {
        if (wrapped.Length != NonceBytes + TagBytes + KeyBytes)
        {
            logger.SigningKeyUnreadable(kid);
            return null;
        }

        var material = new byte[KeyBytes];
        try
        {
            using var aes = new AesGcm(WrappingKey(), TagBytes);
            aes.Decrypt(wrapped.AsSpan(0, NonceBytes), wrapped.AsSpan(NonceBytes + TagBytes), wrapped.AsSpan(NonceBytes, TagBytes), material, Encoding.UTF8.GetBytes(kid));
            return new SymmetricSecurityKey(material) { KeyId = kid };
        }
        catch (AuthenticationTagMismatchException)
        {
            // Sealed under another JWT_SECRET_KEY (it was changed), or altered: it signs nothing here.
            logger.SigningKeyUnreadable(kid);
            return null;
        }
    }

    private sealed record RingKey(string Kid, SymmetricSecurityKey Key, DateTimeOffset CreatedAt);

    private sealed record Ring(IReadOnlyList<RingKey> Keys, DateTimeOffset RootSince)
    {
        public static readonly Ring Empty = new([], DateTimeOffset.MaxValue);

        public int? Find(string kid)
        {
            for (var i = 0; i < Keys.Count; i++)
            {
                if (Keys[i].Kid == kid)
                {
                    return i;
                }
            }

            return null;
        }

        // The newest key validates; an older one until its successor has signed for a token lifetime.
        public bool ValidatesAt(int index, DateTimeOffset now, TimeSpan window) =>
            index == Keys.Count - 1 || Keys[index + 1].CreatedAt + window > now;
    }
}
