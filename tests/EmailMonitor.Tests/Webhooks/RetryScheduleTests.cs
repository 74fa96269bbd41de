using EmailMonitor.Webhooks;

namespace EmailMonitor.Tests.Webhooks;

public sealed class RetryScheduleTests
{
    private const int Trials = 10_000;

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 5)]
    [InlineData(3, 30)]
    public void The_first_retries_come_about_1_5_and_30_seconds_later(int failures, double seconds)
    {
        var random = new Random(failures);
        var delays = Enumerable.Range(0, Trials).Select(_ => RetrySchedule.Delay(failures, random).TotalSeconds).ToList();

        Assert.InRange(delays.Min(), seconds * 0.8, seconds);
        Assert.InRange(delays.Max(), seconds, seconds * 1.2);
    }

    [Fact]
    public void Then_the_delay_doubles_from_a_minute_up_to_an_hour_drawn_between_half_and_all_of_it()
    {
        var random = new Random(4);
        for (var failures = 4; failures < 30; failures++)
        {
            var ceiling = Math.Min(60 * Math.Pow(2, failures - 4), 3600);
            var delays = Enumerable.Range(0, 1_000).Select(_ => RetrySchedule.Delay(failures, random).TotalSeconds).ToList();
            Assert.InRange(delays.Min(), ceiling / 2, ceiling);
            Assert.InRange(delays.Max(), ceiling / 2, ceiling);
            // Spread over the range, not stuck at one end: receivers coming back are not hit all at once.
            Assert.True(delays.Max() - delays.Min() > ceiling / 4, $"delays after {failures} failures spread only {delays.Min()}–{delays.Max()} s");
        }
    }

    [Fact]
    public void A_delivery_is_tried_for_24_hours_the_last_time_at_the_mark_then_it_is_dead()
    {
        var random = new Random(5);
        var first = DateTimeOffset.UnixEpoch;
        var now = first;
        var attempts = 1;
        while (RetrySchedule.Next(first, attempts, now, random) is { } next)
        {
            Assert.True(next > now);
            Assert.True(next <= first + TimeSpan.FromHours(24));
            now = next;
            attempts++;
        }

        Assert.Equal(first + TimeSpan.FromHours(24), now);
        // 3 quick ones, then 1 to 32 minutes apart, then 30 to 60 minutes: a few dozen attempts in all.
        Assert.InRange(attempts, 30, 60);
    }
}
