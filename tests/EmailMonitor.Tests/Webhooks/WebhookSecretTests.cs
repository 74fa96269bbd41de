using System.Text;
using EmailMonitor.Webhooks;

namespace EmailMonitor.Tests.Webhooks;

public sealed class WebhookSecretTests
{
    [Fact]
    public void Signatures_match_the_example_of_the_Standard_Webhooks_specification()
    {
        var key = WebhookSecret.TryReadKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")!;

        var signature = WebhookSecret.Sign([key], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, Encoding.UTF8.GetBytes("{\"test\": 2432232314}"));

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void Every_key_in_force_signs_one_entry_newest_first()
    {
        var newer = new byte[32];
        var older = Enumerable.Repeat((byte)7, 32).ToArray();
        var signature = WebhookSecret.Sign([newer, older], "42", 1_700_000_000, "{}"u8);

        var entries = signature.Split(' ');
        Assert.Equal(2, entries.Length);
        Assert.Equal(WebhookSecret.Sign([newer], "42", 1_700_000_000, "{}"u8), entries[0]);
        Assert.Equal(WebhookSecret.Sign([older], "42", 1_700_000_000, "{}"u8), entries[1]);
    }

    [Fact]
    public void A_new_secret_is_whsec_and_32_random_bytes()
    {
        var first = WebhookSecret.New();
        Assert.StartsWith("whsec_", first, StringComparison.Ordinal);
        Assert.Equal(32, WebhookSecret.TryReadKey(first)!.Length);
        Assert.NotEqual(first, WebhookSecret.New());
    }

    [Theory]
    [InlineData("")]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("whsec_")]
    [InlineData("whsec_not base64!")]
    [InlineData("whsec_c2hvcnQ=")]
    [InlineData("WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    public void A_secret_that_is_not_whsec_and_24_to_64_bytes_is_refused(string secret) =>
        Assert.Null(WebhookSecret.TryReadKey(secret));

    [Fact]
    public void A_secret_of_more_than_64_bytes_is_refused() =>
        Assert.Null(WebhookSecret.TryReadKey(WebhookSecret.Format(new byte[65])));
}
