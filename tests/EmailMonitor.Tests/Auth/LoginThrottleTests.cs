using System.Net;
using EmailMonitor.Tests.Support;
using EmailMonitor.Auth;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EmailMonitor.Tests.Auth;

public sealed class LoginThrottleTests
{
    private const int MaxAttempts = 5;
    private static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);
    private static readonly IPAddress Guesser = IPAddress.Parse("198.51.100.7");
    private static readonly IPAddress Owner = IPAddress.Parse("203.0.113.20");

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly LoginThrottle _throttle;

    public LoginThrottleTests() => _throttle = Throttle(_time);

    [Fact]
    public void Guessing_through_several_instances_locks_out_as_soon_as_through_one()
    {
        // Three instances, each telling the others what it counted, as the cluster bus does.
        var instances = new[] { Throttle(_time), Throttle(_time), Throttle(_time) };
        foreach (var instance in instances)
        {
            instance.CountedHere += note =>
            {
                foreach (var other in instances.Where(other => other != instance))
                {
                    other.Apply(note);
                }
            };
        }

        var locked = new List<bool>();
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var instance = instances[attempt % instances.Length];
            Assert.Equal(LoginVerdict.Allowed, instance.Check("admin", Guesser, out _));
            locked.Add(instance.RecordFailure("admin", Guesser, out _));
        }

        Assert.Equal([false, false, false, false, true], locked);
        Assert.All(instances, instance => Assert.Equal(LoginVerdict.Locked, instance.Check("Admin", Guesser, out _)));
        Assert.All(instances, instance => Assert.Equal(LoginVerdict.Allowed, instance.Check("admin", Owner, out _)));

        // An administrator's reset on one instance lifts the lock on all.
        instances[1].Reset("ADMIN");
        Assert.All(instances, instance => Assert.Equal(LoginVerdict.Allowed, instance.Check("admin", Guesser, out _)));
    }

    [Fact]
    public void A_success_on_one_instance_forgets_that_address_s_failures_on_all()
    {
        var first = Throttle(_time);
        var second = Throttle(_time);
        first.CountedHere += second.Apply;
        second.CountedHere += first.Apply;

        for (var attempt = 0; attempt < MaxAttempts - 1; attempt++)
        {
            first.RecordFailure("admin", Owner, out _);
        }

        second.RecordSuccess("admin", Owner);

        Assert.False(first.RecordFailure("admin", Owner, out _));
        Assert.Equal(LoginVerdict.Allowed, second.Check("admin", Owner, out _));
    }

    [Fact]
    public void What_travels_between_instances_never_holds_the_name_as_typed()
    {
        var notes = new List<LoginNote>();
        _throttle.CountedHere += notes.Add;
        var typed = "correct horse battery staple";

        _throttle.RecordFailure(typed, Guesser, out _);
        _throttle.RecordFailure(typed.ToUpperInvariant(), Guesser, out _);

        Assert.Equal(2, notes.Count);
        Assert.All(notes, note => Assert.DoesNotContain("horse", note.Name, StringComparison.OrdinalIgnoreCase));
        // Case-insensitive as account names are: one key for both spellings.
        Assert.Equal(notes[0].Name, notes[1].Name);
        // Keyed by JWT_SECRET_KEY: another deployment's key for the same name differs.
        var other = Throttle(_time, "another-secret-of-at-least-32-bytes-long");
        var otherNotes = new List<LoginNote>();
        other.CountedHere += otherNotes.Add;
        other.RecordFailure(typed, Guesser, out _);
        Assert.NotEqual(notes[0].Name, otherNotes[0].Name);
    }

    private static LoginThrottle Throttle(TimeProvider time, string secret = TestKeys.Secret) =>
        new(Options.Create(new AuthOptions { MaxLoginAttempts = MaxAttempts, LockoutDuration = Lockout }), time, TestKeys.Root(secret));

    [Fact]
    public void One_address_guessing_locks_only_itself_out_and_the_owner_still_gets_in()
    {
        for (var i = 0; i < MaxAttempts; i++)
        {
            Assert.Equal(LoginVerdict.Allowed, _throttle.Check("admin", Guesser, out _));
            Assert.Equal(i == MaxAttempts - 1, _throttle.RecordFailure("admin", Guesser, out _));
        }

        Assert.Equal(LoginVerdict.Locked, _throttle.Check("admin", Guesser, out var retryAfter));
        Assert.Equal(Lockout, retryAfter);
        Assert.Equal(LoginVerdict.Allowed, _throttle.Check("admin", Owner, out _));
        Assert.Equal(LoginVerdict.Allowed, _throttle.Check("ADMIN", IPAddress.Parse("198.51.100.8"), out _));
    }

    [Fact]
    public void Guessing_every_fifteen_minutes_never_keeps_the_owner_out()
    {
        for (var round = 0; round < 8; round++)
        {
            for (var i = 0; i < MaxAttempts; i++)
            {
                _throttle.RecordFailure("admin", Guesser, out _);
            }

            Assert.Equal(LoginVerdict.Allowed, _throttle.Check("admin", Owner, out _));
            _time.Advance(Lockout);
        }
    }

    [Fact]
    public void Attempts_already_under_way_when_the_lock_came_do_not_lift_it()
    {
        // Six sent together all pass the check before the first failure is counted.
        for (var i = 0; i < MaxAttempts + 3; i++)
        {
            _throttle.RecordFailure("admin", Guesser, out _);
        }

        Assert.Equal(LoginVerdict.Locked, _throttle.Check("admin", Guesser, out var retryAfter));
        Assert.Equal(Lockout, retryAfter);
    }

    [Fact]
    public void A_name_the_account_signed_in_from_before_is_forgotten_like_any_other_when_names_are_sprayed()
    {
        _throttle.RecordSuccess("admin", Owner);
        for (var i = 0; i < MaxAttempts - 1; i++)
        {
            _throttle.RecordFailure("admin", Guesser, out _);
            _throttle.RecordFailure("ghost", Guesser, out _);
        }

        for (var name = 0; name < 10_001; name++)
        {
            _throttle.RecordFailure($"spray{name}", IPAddress.Parse("198.51.100.50"), out _);
        }

        // Either both counts survived or neither did: which one a sign-in happened for does not show.
        Assert.Equal(_throttle.RecordFailure("ghost", Guesser, out _), _throttle.RecordFailure("admin", Guesser, out _));
    }

    [Fact]
    public void A_lock_ends_after_the_lockout_duration()
    {
        for (var i = 0; i < MaxAttempts; i++)
        {
            _throttle.RecordFailure("ghost", Guesser, out _);
        }

        _time.Advance(Lockout - TimeSpan.FromSeconds(1));
        Assert.Equal(LoginVerdict.Locked, _throttle.Check("ghost", Guesser, out _));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(LoginVerdict.Allowed, _throttle.Check("ghost", Guesser, out _));
    }

    [Fact]
    public void Many_addresses_guessing_one_name_slow_every_new_address_down_but_not_one_the_account_signed_in_from()
    {
        _throttle.RecordSuccess("admin", Owner);
        var failures = 0;
        for (var address = 1; failures < LoginThrottle.SlowDownFactor * MaxAttempts; address++)
        {
            for (var i = 0; i < 2; i++, failures++)
            {
                _throttle.RecordFailure("admin", IPAddress.Parse($"192.0.2.{address}"), out _);
            }
        }

        Assert.Equal(LoginVerdict.SlowedDown, _throttle.Check("admin", IPAddress.Parse("198.51.100.99"), out var wait));
        Assert.Equal(TimeSpan.FromSeconds(1), wait);
        Assert.Equal(LoginVerdict.Allowed, _throttle.Check("admin", Owner, out _));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(LoginVerdict.Allowed, _throttle.Check("admin", IPAddress.Parse("198.51.100.99"), out _));
    }

    [Fact]
    public void The_spacing_doubles_as_the_attack_goes_on_up_to_a_minute()
    {
        var spacings = new List<TimeSpan>();
        for (var failure = 1; failure <= 80; failure++)
        {
            _throttle.RecordFailure("admin", IPAddress.Parse($"192.0.2.{failure}"), out _);
            if (_throttle.Check("admin", Owner, out var wait) == LoginVerdict.SlowedDown)
            {
                spacings.Add(wait);
            }
        }

        Assert.Equal(TimeSpan.FromSeconds(1), spacings[0]);
        Assert.Equal(TimeSpan.FromMinutes(1), spacings[^1]);
        Assert.Equal(spacings.Order(), spacings);
    }

    [Fact]
    public void Failures_older_than_the_lockout_duration_no_longer_slow_anyone_down()
    {
        for (var failure = 1; failure <= 40; failure++)
        {
            _throttle.RecordFailure("admin", IPAddress.Parse($"192.0.2.{failure}"), out _);
        }

        _time.Advance(Lockout + TimeSpan.FromMinutes(2));

        Assert.Equal(LoginVerdict.Allowed, _throttle.Check("admin", Owner, out _));
    }

    [Fact]
    public void A_reset_forgets_locks_and_the_slow_down()
    {
        for (var failure = 1; failure <= 40; failure++)
        {
            _throttle.RecordFailure("admin", Guesser, out _);
        }

        _throttle.Reset("Admin");

        Assert.Equal(LoginVerdict.Allowed, _throttle.Check("admin", Guesser, out _));
    }
}
