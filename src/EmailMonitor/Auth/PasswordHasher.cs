using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EmailMonitor.Auth;

/// <summary>
/// PBKDF2-HMAC-SHA256 with 600,000 iterations and a 16-byte salt, as OWASP's password storage
/// cheat sheet recommends. The iteration count is stored with each hash so it can be raised later.
/// Login checks share a bounded number of hashing slots: each costs about a tenth of a second of
/// a core by design, so at most half the cores hash at once and a flood of logins from many
/// addresses leaves the rest to mail and clients; a check that cannot start within
/// <see cref="MaxWait"/> is refused.
/// </summary>
internal sealed class PasswordHasher : IDisposable
{
    public const int Iterations = 600_000;
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);

    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _slots;
    private int _inProgress;

    // Verified against when there is no account to check, so that costs the same time as a real check.
    private readonly string _decoy = Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)));

    public PasswordHasher(TimeProvider time)
        : this(time, Math.Max(1, Environment.ProcessorCount / 2))
    {
    }

    public PasswordHasher(TimeProvider time, int maxConcurrentChecks)
    {
        _time = time;
        MaxConcurrentChecks = maxConcurrentChecks;
        _slots = new SemaphoreSlim(maxConcurrentChecks, maxConcurrentChecks);
    }

    public int MaxConcurrentChecks { get; }

    /// <summary>Login checks hashing right now.</summary>
    public int ChecksInProgress => Volatile.Read(ref _inProgress);

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Scheme, Iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    public static bool Verify(string password, string encoded)
    {
        var parts = encoded.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations))
        {
            return false;
        }

        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>
    /// Checks a login's password against <paramref name="encoded"/>, or against the decoy when
    /// there is no account (always false, at the same cost); null when no hashing slot came free
    /// within <see cref="MaxWait"/>.
    /// </summary>
    public async Task<bool?> CheckLoginAsync(string password, string? encoded, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(MaxWait, _time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await _slots.WaitAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        Interlocked.Increment(ref _inProgress);
        try
        {
            return Verify(password, encoded ?? _decoy) && encoded is not null;
        }
        finally
        {
            Interlocked.Decrement(ref _inProgress);
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
