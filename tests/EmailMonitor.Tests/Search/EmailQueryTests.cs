using EmailMonitor.Search;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace EmailMonitor.Tests.Search;

public sealed class EmailQueryTests
{
    [Fact]
    public void Every_part_of_the_query_is_read_into_the_filter()
    {
        var filter = Read("q=Overdue+invoice&mailbox=desk&folder=Spam&flag=spf_fail&flag=dkim_fail&tag=finance&min_risk=40&since=2026-12-01&until=2026-12-02T09:30:00%2B01:00");

        Assert.Equal([["overdue"], ["invoice"]], filter.Terms);
        Assert.Equal("desk", filter.Mailbox);
        Assert.Equal("Spam", filter.Folder);
        Assert.Equal(["spf_fail", "dkim_fail"], filter.Flags);
        Assert.Equal(["finance"], filter.Tags);
        Assert.Equal(40, filter.MinRiskScore);
        Assert.Equal("2026-12-01T00:00:00.000Z", filter.ReceivedSince);
        Assert.Equal("2026-12-02T08:30:00.000Z", filter.ReceivedUntil);
    }

    [Fact]
    public void No_parameters_and_empty_ones_filter_nothing() =>
        Assert.Equal(EmailFilter.All with { }, Read("q=&mailbox=&folder=&flag=&tag=&min_risk=&since=&until="), new FilterComparer());

    [Theory]
    [InlineData("q=%22%3F%21%2A", "'q' holds no word")]
    [InlineData("q=a&q=b", "'q' may be given once")]
    [InlineData("mailbox=a&mailbox=b", "'mailbox' may be given once")]
    [InlineData("flag=spf%20fail", "'flag' must be")]
    [InlineData("flag=%27%3B+DROP+TABLE+events%3B--", "'flag' must be")]
    [InlineData("tag=a%7Cb", "'tag' must be")]
    [InlineData("min_risk=-1", "'min_risk' must be")]
    [InlineData("min_risk=101", "'min_risk' must be")]
    [InlineData("min_risk=1e2", "'min_risk' must be")]
    [InlineData("min_risk=+5", "'min_risk' must be")]
    [InlineData("since=yesterday", "'since' must be")]
    [InlineData("since=2026-12-01T09:30:00", "'since' must be")] // no offset: whose 09:30?
    [InlineData("until=2026-02-30", "'until' must be")]
    [InlineData("since=2026-12-02&until=2026-12-01", "'since' must be earlier than 'until'")]
    public void A_parameter_that_cannot_mean_anything_is_refused_by_name(string query, string problem)
    {
        Assert.False(EmailQuery.TryRead(Query(query), out _, out var said));
        Assert.Contains(problem, said);
    }

    [Fact]
    public void A_query_that_is_too_long_or_has_too_many_words_is_refused_not_cut()
    {
        Assert.False(EmailQuery.TryRead(Query("q=" + new string('a', EmailQuery.MaxQueryLength + 1)), out _, out var tooLong));
        Assert.Contains("at most 1000 characters", tooLong);
        Assert.False(EmailQuery.TryRead(Query("q=" + string.Join('+', Enumerable.Range(0, 33).Select(i => $"w{i}"))), out _, out var tooMany));
        Assert.Contains("at most 32 words", tooMany);
        Assert.False(EmailQuery.TryRead(Query(string.Concat(Enumerable.Repeat("flag=a&", 11))), out _, out var repeated));
        Assert.Contains("at most 10 times", repeated);
    }

    private static EmailFilter Read(string query)
    {
        Assert.True(EmailQuery.TryRead(Query(query), out var filter, out var problem), problem);
        return filter;
    }

    private static QueryCollection Query(string query) => new(QueryHelpers.ParseQuery("?" + query));

    private sealed class FilterComparer : IEqualityComparer<EmailFilter>
    {
        public bool Equals(EmailFilter? x, EmailFilter? y) =>
            x is not null && y is not null && x.Mailbox == y.Mailbox && x.Folder == y.Folder && x.Terms.Count == y.Terms.Count
            && x.Flags.Count == y.Flags.Count && x.Tags.Count == y.Tags.Count && x.MinRiskScore == y.MinRiskScore
            && x.ReceivedSince == y.ReceivedSince && x.ReceivedUntil == y.ReceivedUntil;

        public int GetHashCode(EmailFilter obj) => 0;
    }
}
