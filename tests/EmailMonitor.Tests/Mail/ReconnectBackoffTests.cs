using EmailMonitor.Mail;

namespace EmailMonitor.Tests.Mail;

public sealed class ReconnectBackoffTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Healthy = TimeSpan.FromSeconds(60);

    [Fact]
    public void The_ceiling_doubles_per_failure_from_one_second_up_to_the_cap()
    {
        var backoff = new ReconnectBackoff(Initial, Cap, Healthy, new Random(1));

        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60], Enumerable.Range(0, 8).Select(i => backoff.Ceiling(i).TotalSeconds));
    }

    [Fact]
    public void Each_delay_is_drawn_between_zero_and_the_current_ceiling()
    {
        var backoff = new ReconnectBackoff(Initial, Cap, Healthy, new Random(7));

        for (var failure = 0; failure < 12; failure++)
        {
            var delay = backoff.NextDelay(TimeSpan.Zero);
            Assert.InRange(delay, TimeSpan.Zero, backoff.Ceiling(failure));
        }
    }

    [Fact]
    public void Delays_are_spread_out_so_a_fleet_does_not_reconnect_together()
    {
        var delays = Enumerable.Range(0, 200)
            .Select(seed => new ReconnectBackoff(Initial, Cap, Healthy, new Random(seed)))
            .Select(backoff =>
            {
                for (var i = 0; i < 5; i++)
                {
                    backoff.NextDelay(TimeSpan.Zero);
                }

                return backoff.NextDelay(TimeSpan.Zero).TotalSeconds;
            })
            .ToList();

        // Full jitter over [0, 32 s): the monitors spread across the window instead of bunching.
        Assert.True(delays.Min() < 4 && delays.Max() > 28, $"min {delays.Min()}, max {delays.Max()}");
        Assert.True(delays.Distinct().Count() > 190);
    }

    [Fact]
    public void A_healthy_session_resets_the_backoff()
    {
        var backoff = new ReconnectBackoff(Initial, Cap, Healthy, new Random(3));
        for (var i = 0; i < 6; i++)
        {
            backoff.NextDelay(TimeSpan.FromSeconds(1));
        }

        var afterHealthySession = backoff.NextDelay(TimeSpan.FromMinutes(5));

        Assert.InRange(afterHealthySession, TimeSpan.Zero, Initial);
    }
}
