using EmailMonitor.Mail;
using Microsoft.Extensions.Time.Testing;

namespace EmailMonitor.Tests.Mail;

public sealed class ReconnectBackoffTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Stable = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void The_ceiling_grows_by_a_fifth_of_the_troubles_length_from_one_second_up_to_the_cap()
    {
        var backoff = NewBackoff(seed: 1);

        Assert.Equal(
            [1, 3, 5, 13, 61 - 1, 60],
            new[] { 0, 10, 20, 60, 295, 3600 }.Select(seconds => backoff.Ceiling(TimeSpan.FromSeconds(seconds)).TotalSeconds));
    }

    [Fact]
    public void After_a_twenty_second_outage_the_first_attempt_comes_within_five_seconds_of_the_servers_return()
    {
        // Refused connections fail at once: every delay is spent waiting, none connecting.
        var serverBack = TimeSpan.FromSeconds(20);
        var waits = new List<TimeSpan>();
        for (var seed = 0; seed < 500; seed++)
        {
            var time = new FakeTimeProvider();
            var backoff = new ReconnectBackoff(Initial, Cap, Stable, time, new Random(seed));
            while (time.GetUtcNow() - time.Start < serverBack)
            {
                time.Advance(backoff.NextDelay());
            }

            waits.Add(time.GetUtcNow() - time.Start - serverBack);
        }

        Assert.InRange(waits.Max(), TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.InRange(waits.Order().ElementAt(waits.Count / 2), TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void A_dropped_session_that_had_been_stable_is_retried_within_a_second_every_time()
    {
        var backoff = NewBackoff(seed: 3);
        for (var drop = 0; drop < 20; drop++)
        {
            backoff.SessionEstablished();
            _time.Advance(Stable);

            var delay = backoff.NextDelay();

            Assert.InRange(delay, TimeSpan.Zero, Initial);
            _time.Advance(delay);
        }
    }

    [Fact]
    public void A_server_that_drops_every_session_soon_after_login_is_backed_off_up_to_the_cap()
    {
        var backoff = NewBackoff(seed: 5);
        var flappingSince = _time.GetUtcNow();
        var sessions = 0;
        while (_time.GetUtcNow() - flappingSince < TimeSpan.FromMinutes(10))
        {
            backoff.SessionEstablished();
            _time.Advance(TimeSpan.FromSeconds(2));
            _time.Advance(backoff.NextDelay());
            sessions++;
        }

        // Without backing off, ten minutes of two-second sessions would be 300 logins.
        Assert.InRange(sessions, 20, 60);
        Assert.Equal(Cap, backoff.Ceiling(_time.GetUtcNow() - flappingSince));
    }

    [Fact]
    public void Failures_after_a_stable_session_start_a_new_trouble_with_a_small_ceiling()
    {
        var backoff = NewBackoff(seed: 9);
        for (var i = 0; i < 60; i++)
        {
            _time.Advance(backoff.NextDelay());
        }

        backoff.SessionEstablished();
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.InRange(backoff.NextDelay(), TimeSpan.Zero, Initial);
    }

    [Fact]
    public void Refused_logins_back_off_exponentially_so_a_changed_password_does_not_trip_the_providers_lockout()
    {
        var backoff = new ReconnectBackoff(Initial, Cap, Stable, _time, new HighestDraw());
        var delays = new List<double>();
        for (var refusal = 0; refusal < 8; refusal++)
        {
            var delay = backoff.NextDelay(refused: true);
            delays.Add(Math.Round(delay.TotalSeconds));
            _time.Advance(delay);
        }

        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60], delays);
    }

    [Fact]
    public void Delays_are_spread_out_so_a_fleet_does_not_reconnect_together()
    {
        // 200 monitors whose server went away at the same moment, 30 s ago.
        var delays = Enumerable.Range(0, 200)
            .Select(seed =>
            {
                var time = new FakeTimeProvider();
                var backoff = new ReconnectBackoff(Initial, Cap, Stable, time, new Random(seed));
                while (time.GetUtcNow() - time.Start < TimeSpan.FromSeconds(30))
                {
                    time.Advance(backoff.NextDelay());
                }

                return backoff.NextDelay().TotalSeconds;
            })
            .ToList();

        Assert.True(delays.Min() < 1 && delays.Max() > 6, $"min {delays.Min()}, max {delays.Max()}");
        Assert.True(delays.Distinct().Count() > 190);
    }

    private ReconnectBackoff NewBackoff(int seed) => new(Initial, Cap, Stable, _time, new Random(seed));

    // Every draw at the top of its range, so each delay shows its ceiling.
    private sealed class HighestDraw : Random
    {
        public override double NextDouble() => 0.9999;
    }
}
