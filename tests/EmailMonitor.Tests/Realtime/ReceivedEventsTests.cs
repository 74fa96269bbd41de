using EmailMonitor.Realtime;

namespace EmailMonitor.Tests.Realtime;

public sealed class ReceivedEventsTests
{
    [Fact]
    public void Remembers_every_added_id_and_nothing_else()
    {
        var received = new ReceivedEvents();
        long[] added = [5, 1, 9, 2, 7, 3, 8];
        foreach (var id in added)
        {
            received.Add(id);
        }

        for (long id = 0; id <= 11; id++)
        {
            Assert.Equal(added.Contains(id), received.Contains(id));
        }
    }

    [Fact]
    public void Consecutive_ids_collapse_into_one_range_however_many_arrive()
    {
        var received = new ReceivedEvents();
        for (long id = 1_000; id < 101_000; id++)
        {
            received.Add(id);
        }

        Assert.Equal(1, received.RangeCount);
        Assert.True(received.Contains(50_000));
        Assert.False(received.Contains(101_000));
    }

    [Fact]
    public void Filling_a_gap_merges_the_ranges_on_both_sides()
    {
        var received = new ReceivedEvents();
        received.Add(1);
        received.Add(3);
        Assert.Equal(2, received.RangeCount);

        received.Add(2);
        received.Add(2);

        Assert.Equal(1, received.RangeCount);
        Assert.True(received.Contains(1) && received.Contains(2) && received.Contains(3));
    }

    [Fact]
    public void Matches_a_plain_set_under_random_insertion()
    {
        var random = new Random(42);
        var received = new ReceivedEvents();
        var reference = new HashSet<long>();
        for (var i = 0; i < 5_000; i++)
        {
            var id = random.NextInt64(0, 2_000);
            received.Add(id);
            reference.Add(id);
        }

        for (long id = 0; id < 2_000; id++)
        {
            Assert.Equal(reference.Contains(id), received.Contains(id));
        }
    }
}
