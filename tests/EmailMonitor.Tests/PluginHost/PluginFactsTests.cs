using EmailMonitor.Analysis;
using EmailMonitor.PluginHost;
using EmailMonitor.Plugins;

namespace EmailMonitor.Tests.PluginHost;

public sealed class PluginFactsTests
{
    private static readonly EmailEvent Email = new()
    {
        Id = "default:INBOX:1:1",
        ReceivedAt = "2026-12-02T08:00:00Z",
        Mailbox = "default",
        Folder = "INBOX",
        SecurityFlags = ["external_images"],
        RiskScore = 5,
        Tags = ["earlier"],
    };

    [Fact]
    public void Known_flags_add_their_weight_once_and_the_score_change_follows()
    {
        var (judged, refused) = PluginFacts.Apply(Email, new Judgement { Flags = ["suspicious_link", "suspicious_link", "external_images"], Tags = ["link", "earlier"], ScoreChange = 7 });

        Assert.Empty(refused);
        Assert.Equal(["external_images", "suspicious_link"], judged.SecurityFlags);
        Assert.Equal(5 + 30 + 7, judged.RiskScore);
        Assert.Equal(["earlier", "link"], judged.Tags);
    }

    [Fact]
    public void What_the_service_does_not_know_is_left_out_and_named()
    {
        var (judged, refused) = PluginFacts.Apply(Email, PluginFacts.Copy(new Judgement
        {
            Flags = ["made_up", null!, "dangerous_attachment"],
            Tags = ["<b>", null!, new string('t', 65), "fine"],
            ScoreChange = int.MaxValue,
        }));

        Assert.Equal(["external_images", "dangerous_attachment"], judged.SecurityFlags);
        Assert.Equal(["earlier", "fine"], judged.Tags);
        Assert.Equal(100, judged.RiskScore);
        Assert.Equal(5, refused.Count);
    }

    [Fact]
    public void A_plugin_sees_copies_it_cannot_change()
    {
        var facts = PluginFacts.Of(Email);

        Assert.Throws<NotSupportedException>(() => ((IList<string>)facts.SecurityFlags).Add("dangerous_attachment"));
        Assert.Throws<NotSupportedException>(() => ((IList<string>)facts.Tags).Add("x"));
        Assert.Equal(["external_images"], Email.SecurityFlags);
    }

    [Fact]
    public void An_answer_is_cut_to_a_sane_length_when_copied()
    {
        var copy = PluginFacts.Copy(new Judgement { Flags = [.. Enumerable.Repeat("made_up", 10_000)], Tags = [.. Enumerable.Range(0, 10_000).Select(i => $"t{i}")] });

        Assert.Equal(64, copy.Flags.Count);
        Assert.Equal(64, copy.Tags.Count);
        Assert.Equal(EmailTags.MaxPerEmail, PluginFacts.Apply(Email, copy).Email.Tags.Count);
    }

    [Fact]
    public void A_judgement_with_null_lists_changes_nothing_but_the_score()
    {
        var (judged, refused) = PluginFacts.Apply(Email, PluginFacts.Copy(new Judgement { Flags = null!, Tags = null!, ScoreChange = -50 }));

        Assert.Empty(refused);
        Assert.Equal(Email.SecurityFlags, judged.SecurityFlags);
        Assert.Equal(0, judged.RiskScore);
    }
}
