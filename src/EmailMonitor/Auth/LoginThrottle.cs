using System.Net;
using System.Security.Cryptography;
using System.Text;
using EmailMonitor.Security;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Auth;

/// <summary>
/// Failed logins, counted as OWASP's authentication cheat sheet advises. Per name and client
/// address: after MAX_LOGIN_ATTEMPTS failures that address is locked out of that name for
/// LOCKOUT_DURATION, so one address guessing a password never locks the owner out elsewhere. Per
/// name from everywhere: past <see cref="SlowDownFactor"/> times that many failures within
/// LOCKOUT_DURATION, attempts are spaced out (one second apart, doubling, at most a minute) for
/// every address except those the account recently signed in from, so a guessing botnet gets a
/// trickle and the owner still gets in. Everything is keyed by the name as typed, whether or not
/// an account has it, so no answer tells which names exist. In memory, bounded. With several
/// instances each counts what the others counted too (<see cref="CountedHere"/>, <see cref="Apply"/>),
/// so guessing through different instances locks out as soon as through one.
/// </summary>
/// <remarks>
/// Names are held as an HMAC keyed from JWT_SECRET_KEY, never as typed: what is typed as a name is
/// now and then a password, and these keys travel between instances.
/// </remarks>
internal sealed class LoginThrottle(IOptions<AuthOptions> options, TimeProvider time, SigningKey root)
{
    public const int SlowDownFactor = 4;

    private const int MaxTrackedNames = 10_000;
    private const int MaxTrackedAddressesPerName = 1_000;
    private const int MaxKnownAddresses = 16;
    private static readonly TimeSpan MaxSpacing = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan KnownAddressLifetime = TimeSpan.FromDays(30);

    private static readonly byte[] KeyInfo = "email-monitor/login-names/v1"u8.ToArray();

    private readonly Lazy<byte[]> _nameKey = new(() => HKDF.DeriveKey(HashAlgorithmName.SHA256, root.Key.Key, 32, salt: [], info: KeyInfo));
    private readonly Dictionary<string, NameState> _names = new(StringComparer.Ordinal);

    // Where each account signed in from: only real accounts sign in, so this stays small, and it
    // is kept apart from the failure counts so that forgetting those treats every name alike.
    private readonly Dictionary<string, Dictionary<IPAddress, DateTimeOffset>> _known = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Raised for each failure, success and reset counted here, for the other instances to <see cref="Apply"/>.</summary>
    public event Action<LoginNote>? CountedHere;

    /// <summary>Whether an attempt on <paramref name="name"/> from <paramref name="address"/> may be checked now.</summary>
    public LoginVerdict Check(string name, IPAddress? address, out TimeSpan retryAfter)
    {
        name = KeyOf(name);
        var client = Key(address);
        var now = time.GetUtcNow();
        retryAfter = TimeSpan.Zero;
        lock (_gate)
        {
            if (!_names.TryGetValue(name, out var state))
            {
                return LoginVerdict.Allowed;
            }

            if (state.Addresses.TryGetValue(client, out var pair) && pair.LockedUntil > now)
            {
                retryAfter = pair.LockedUntil.Value - now;
                return LoginVerdict.Locked;
            }

            state.ForgetFailuresBefore(now - options.Value.LockoutDuration);
            if (!IsKnown(name, client, now) && state.NextAttemptAt > now)
            {
                retryAfter = state.NextAttemptAt - now;
                return LoginVerdict.SlowedDown;
            }

            return LoginVerdict.Allowed;
        }
    }

    /// <summary>Counts a failed attempt; true when it locks this address out of this name.</summary>
    public bool RecordFailure(string name, IPAddress? address, out DateTimeOffset lockedUntil)
    {
        var note = new LoginNote(LoginNoteKind.Failed, KeyOf(name), Key(address));
        var locks = CountFailure(note.Name, note.Client, out lockedUntil);
        CountedHere?.Invoke(note);
        return locks;
    }

    /// <summary>A failure, success or reset another instance counted.</summary>
    public void Apply(LoginNote note)
    {
        switch (note.Kind)
        {
            case LoginNoteKind.Failed:
                CountFailure(note.Name, note.Client, out _);
                break;
            case LoginNoteKind.Succeeded:
                CountSuccess(note.Name, note.Client);
                break;
            case LoginNoteKind.Reset:
                Forget(note.Name);
                break;
        }
    }

    private bool CountFailure(string name, IPAddress client, out DateTimeOffset lockedUntil)
    {
        var now = time.GetUtcNow();
        var settings = options.Value;
        lock (_gate)
        {
            var state = StateOf(name, now);
            state.Failures.Enqueue(now);
            state.ForgetFailuresBefore(now - settings.LockoutDuration);
            var excess = state.Failures.Count - (SlowDownFactor * settings.MaxLoginAttempts);
            if (excess >= 0)
            {
                var doublings = Math.Min(excess / settings.MaxLoginAttempts, 6);
                var spacing = TimeSpan.FromSeconds(1 << doublings);
                state.NextAttemptAt = now + (spacing < MaxSpacing ? spacing : MaxSpacing);
            }

            var pair = state.Addresses.GetValueOrDefault(client);
            if (pair.LockedUntil > now)
            {
                // An attempt that was already under way when the lock came: the lock stands as it is.
                lockedUntil = pair.LockedUntil.Value;
                return false;
            }

            var failures = (pair.LockedUntil is null ? pair.Failures : 0) + 1;
            var locks = failures >= settings.MaxLoginAttempts;
            lockedUntil = now + settings.LockoutDuration;
            if (state.Addresses.Count >= MaxTrackedAddressesPerName && !state.Addresses.ContainsKey(client))
            {
                state.ForgetUnlockedAddresses(now);
            }

            state.Addresses[client] = locks ? new PairState(0, lockedUntil) : new PairState(failures, null);
            return locks;
        }
    }

    /// <summary>A successful login: this address's failures on this name are forgotten, and it becomes a known address.</summary>
    public void RecordSuccess(string name, IPAddress? address)
    {
        var note = new LoginNote(LoginNoteKind.Succeeded, KeyOf(name), Key(address));
        CountSuccess(note.Name, note.Client);
        CountedHere?.Invoke(note);
    }

    /// <summary>Forgets every failure and lock of a name, as when an administrator sets a new password.</summary>
    public void Reset(string name)
    {
        var note = new LoginNote(LoginNoteKind.Reset, KeyOf(name), IPAddress.None);
        Forget(note.Name);
        CountedHere?.Invoke(note);
    }

    private void CountSuccess(string name, IPAddress client)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_names.TryGetValue(name, out var state))
            {
                state.Addresses.Remove(client);
            }

            if (!_known.TryGetValue(name, out var known))
            {
                known = [];
                _known[name] = known;
            }

            known[client] = now;
            if (known.Count > MaxKnownAddresses)
            {
                known.Remove(known.MinBy(entry => entry.Value).Key);
            }
        }
    }

    private void Forget(string name)
    {
        lock (_gate)
        {
            _names.Remove(name);
        }
    }

    private static IPAddress Key(IPAddress? address) => NetworkRules.ClientKey(address ?? IPAddress.None);

    // Case-insensitive as account names are: the same key for "Admin" and "admin".
    private string KeyOf(string name) =>
        Convert.ToBase64String(HMACSHA256.HashData(_nameKey.Value, Encoding.UTF8.GetBytes(name.ToUpperInvariant())));

    private bool IsKnown(string name, IPAddress client, DateTimeOffset now) =>
        _known.TryGetValue(name, out var known) && known.TryGetValue(client, out var at) && at >= now - KnownAddressLifetime;

    private NameState StateOf(string name, DateTimeOffset now)
    {
        if (_names.TryGetValue(name, out var state))
        {
            state.LastFailureAt = now;
            return state;
        }

        if (_names.Count >= MaxTrackedNames)
        {
            // Names with nothing in force go first; a name spray cannot push out a lock. If every
            // name has something in force, the least recently failed half goes: memory stays bounded.
            var idle = _names.Where(n => n.Value.IsIdle(now)).Select(n => n.Key).ToList();
            if (idle.Count == 0)
            {
                idle = [.. _names.OrderBy(n => n.Value.LastFailureAt).Take(MaxTrackedNames / 2).Select(n => n.Key)];
            }

            foreach (var key in idle)
            {
                _names.Remove(key);
            }
        }

        state = new NameState { LastFailureAt = now };
        _names[name] = state;
        return state;
    }

    private readonly record struct PairState(int Failures, DateTimeOffset? LockedUntil);

    private sealed class NameState
    {
        public Dictionary<IPAddress, PairState> Addresses { get; } = [];

        public Queue<DateTimeOffset> Failures { get; } = new();

        public DateTimeOffset NextAttemptAt { get; set; }

        public DateTimeOffset LastFailureAt { get; set; }

        public void ForgetFailuresBefore(DateTimeOffset horizon)
        {
            while (Failures.TryPeek(out var oldest) && oldest < horizon)
            {
                Failures.Dequeue();
            }
        }

        public void ForgetUnlockedAddresses(DateTimeOffset now)
        {
            foreach (var client in Addresses.Where(a => !(a.Value.LockedUntil > now)).Select(a => a.Key).ToList())
            {
                Addresses.Remove(client);
            }
        }

        // Nothing in force: counts below a lock may go, as losing them gives back a few attempts at most.
        public bool IsIdle(DateTimeOffset now) =>
            NextAttemptAt <= now && Addresses.Values.All(a => !(a.LockedUntil > now));
    }
}

/// <summary>What one instance counted about a login name (its key, never the name as typed), for the others.</summary>
internal sealed record LoginNote(LoginNoteKind Kind, string Name, IPAddress Client);

internal enum LoginNoteKind
{
    Failed,
    Succeeded,
    Reset,
}
