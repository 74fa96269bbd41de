using EmailMonitor.Tests.Support;
using EmailMonitor.Cluster;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EmailMonitor.Tests.Cluster;

public sealed class ClusterMessagesTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    [Fact]
    public void A_message_opens_once_on_each_instance_and_never_again()
    {
        var sender = Messages(_time);
        var receiver = Messages(_time);
        var other = Messages(_time);
        var sealedMessage = sender.Seal("{\"kind\":\"lifted\"}"u8);

        Assert.Equal("{\"kind\":\"lifted\"}"u8.ToArray(), receiver.Open(sealedMessage)!.Value.ToArray());
        Assert.NotNull(other.Open(sealedMessage));
        // Played again on the channel: refused, however often.
        Assert.Null(receiver.Open(sealedMessage));
        Assert.Null(receiver.Open(sealedMessage));
    }

    [Fact]
    public void A_message_sealed_outside_the_freshness_window_is_refused_either_way()
    {
        var sender = Messages(_time);
        var old = sender.Seal("{}"u8);
        _time.Advance(ClusterMessages.Freshness + TimeSpan.FromSeconds(1));
        Assert.Null(Messages(_time).Open(old));

        // From a clock running ahead: refused as well.
        var ahead = new FakeTimeProvider(_time.GetUtcNow() + ClusterMessages.Freshness + TimeSpan.FromSeconds(1));
        Assert.Null(Messages(_time).Open(Messages(ahead).Seal("{}"u8)));
        Assert.NotNull(Messages(_time).Open(Messages(new FakeTimeProvider(_time.GetUtcNow() + TimeSpan.FromSeconds(5))).Seal("{}"u8)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(33)]
    [InlineData(45)]
    [InlineData(50)]
    public void A_message_altered_anywhere_or_sealed_with_another_key_is_refused(int offset)
    {
        var message = Messages(_time).Seal("{\"kind\":\"catch_up\"}"u8);
        message[offset] ^= 1;
        Assert.Null(Messages(_time).Open(message));
        Assert.Null(Messages(_time, "another-secret-of-at-least-32-bytes-long").Open(Messages(_time).Seal("{}"u8)));
        Assert.Null(Messages(_time).Open(new byte[20]));
    }

    private static ClusterMessages Messages(TimeProvider time, string secret = TestKeys.Secret) =>
        new(TestKeys.Root(secret), Options.Create(new ClusterOptions { InstanceId = "test" }), time);
}
