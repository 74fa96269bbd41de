using EmailMonitor.Observability;

namespace EmailMonitor.Tests.Observability;

public sealed class StatsHistoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_point_holds_what_the_counters_did_in_it_and_the_gauges_at_its_end_then_the_point_in_progress()
    {
        var history = new StatsHistory();
        history.Record(Sample(0, emails: 0, connections: 5));
        history.Record(Sample(1, emails: 4, connections: 7, flagged: new() { ["spf_fail"] = 2 }));
        history.Record(Sample(2, emails: 4, connections: 6, failed: 3, flagged: new() { ["spf_fail"] = 2 }));

        var points = history.Read(StatsPeriod.Hour, Sample(2.5, emails: 9, connections: 1, failed: 3, flagged: new() { ["spf_fail"] = 3, ["macro_document"] = 1 }));

        Assert.Equal([4L, 0L, 5L], points.Select(p => p.Emails));
        Assert.Equal([7L, 6L, 1L], points.Select(p => p.ActiveConnections));
        Assert.Equal([0L, 3L, 0L], points.Select(p => p.FailedAuthentications));
        Assert.Equal([true, true, false], points.Select(p => p.Complete));
        Assert.Equal(new Dictionary<string, long> { ["spf_fail"] = 2 }, points[0].Flagged);
        Assert.Empty(points[1].Flagged);
        Assert.Equal(new Dictionary<string, long> { ["macro_document"] = 1, ["spf_fail"] = 1 }, points[2].Flagged);
        Assert.Equal([Start, Start.AddMinutes(1), Start.AddMinutes(2)], points.Select(p => p.Start));
        Assert.Equal(Start.AddMinutes(2.5), points[^1].End);
    }

    [Fact]
    public void An_hour_keeps_sixty_points_and_a_day_twenty_four_so_memory_is_bounded()
    {
        var history = new StatsHistory();
        for (var minute = 0; minute <= 60 * 30; minute++)
        {
            history.Record(Sample(minute, emails: minute * 2));
        }

        var now = Sample(60 * 30 + 0.5, emails: 3601);
        var hour = history.Read(StatsPeriod.Hour, now);
        var day = history.Read(StatsPeriod.Day, now);

        Assert.Equal(StatsHistory.MinutePoints + 1, hour.Count);
        Assert.All(hour.SkipLast(1), p => Assert.Equal(2, p.Emails));
        Assert.Equal(StatsHistory.HourPoints + 1, day.Count);
        Assert.All(day.SkipLast(1), p => Assert.Equal(120, p.Emails));
        Assert.Equal(Start.AddHours(6), day[0].Start);
    }

    [Fact]
    public void Before_the_first_sample_there_are_no_points_and_a_late_tick_makes_a_longer_point_not_a_lost_count()
    {
        var history = new StatsHistory();
        Assert.Empty(history.Read(StatsPeriod.Hour, Sample(0, emails: 3)));

        history.Record(Sample(0, emails: 0));
        history.Record(Sample(3, emails: 10));

        var points = history.Read(StatsPeriod.Hour, Sample(3, emails: 10));
        Assert.Equal(10, points[0].Emails);
        Assert.Equal(TimeSpan.FromMinutes(3), points[0].End - points[0].Start);
        // The point in progress is always last, even when it has only just begun.
        Assert.Equal((false, 0L), (points[1].Complete, points[1].Emails));
    }

    private static StatsSample Sample(double minute, long emails, long connections = 0, long failed = 0, Dictionary<string, long>? flagged = null) =>
        new(Start.AddMinutes(minute), connections, emails, RateLimitsExceeded: 0, BlockedIps: 0, failed, flagged ?? []);
}
