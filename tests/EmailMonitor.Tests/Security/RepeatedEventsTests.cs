using System.Net;
using EmailMonitor.Security;
using Microsoft.Extensions.Time.Testing;

namespace EmailMonitor.Tests.Security;

public sealed class RepeatedEventsTests
{
    private static readonly IPAddress Flooder = IPAddress.Parse("198.51.100.7");
    private static readonly IPAddress Other = IPAddress.Parse("198.51.100.8");

    private readonly FakeTimeProvider _time = new();
    private readonly RepeatedEvents _repeats;

    public RepeatedEventsTests()
    {
        _repeats = new RepeatedEvents(_time);
    }

    [Fact]
    public void The_first_event_is_written_repeats_within_the_window_are_counted_and_the_next_line_says_how_many()
    {
        Assert.True(_repeats.ShouldWrite("rate_limited", Flooder, out var omitted));
        Assert.Equal(0, omitted);

        for (var i = 0; i < 500; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
            Assert.False(_repeats.ShouldWrite("rate_limited", Flooder, out _));
        }

        _time.Advance(RepeatedEvents.Window);
        Assert.True(_repeats.ShouldWrite("rate_limited", Flooder, out omitted));
        Assert.Equal(500, omitted);
    }

    [Fact]
    public void Other_addresses_and_other_events_are_not_held_back_by_a_flood()
    {
        Assert.True(_repeats.ShouldWrite("rate_limited", Flooder, out _));
        Assert.False(_repeats.ShouldWrite("rate_limited", Flooder, out _));

        Assert.True(_repeats.ShouldWrite("rate_limited", Other, out _));
        Assert.True(_repeats.ShouldWrite("ip_refused", Flooder, out _));
    }
}
