using EmailMonitor.Analysis;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Analysis;

/// <summary>Header and link tricks with the flags they must raise; honest mail raises none.</summary>
public sealed class MessageFlagsTests
{
    [Fact]
    public void Clean_mail_has_no_flags_and_no_risk()
    {
        var email = Analyzers.Create().Analyze("""
            From: "Alice Example" <alice@example.com>
            Reply-To: alice@mail.example.com
            To: bob@example.org
            Subject: lunch
            Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com; dmarc=pass
            Content-Type: text/html; charset=utf-8

            <p>See <a href="https://www.example.com/menu">example.com/menu</a> or <a href="https://example.org/x">click here</a>.</p>
            """);

        Assert.Empty(email.SecurityFlags);
        Assert.Equal(0, email.RiskScore);
    }

    [Theory]
    [InlineData("\"ceo@bank.example\" <attacker@evil.test>", true)]
    [InlineData("\"Support (support@paypal.com)\" <x@evil.test>", true)]
    [InlineData("\"alice@example.com\" <alice@example.com>", false)]
    [InlineData("\"Alice\" <alice@example.com>", false)]
    public void A_display_name_showing_another_address_is_sender_spoofing(string from, bool spoofed)
    {
        var email = Analyzers.Create().Analyze($"From: {from}\nSubject: x\n\nbody\n");

        Assert.Equal(spoofed, email.SecurityFlags.Contains(SecurityFlags.SenderSpoofing));
    }

    [Theory]
    [InlineData("reply@other.test", true)]
    [InlineData("reply@mail.example.com", false)]
    [InlineData("REPLY@EXAMPLE.COM", false)]
    [InlineData("reply@example.co.uk", true)]
    public void A_reply_to_in_another_domain_is_a_mismatch(string replyTo, bool mismatch)
    {
        var email = Analyzers.Create().Analyze($"From: alice@example.com\nReply-To: {replyTo}\nSubject: x\n\nbody\n");

        Assert.Equal(mismatch, email.SecurityFlags.Contains(SecurityFlags.ReplyToMismatch));
    }

    [Theory]
    [InlineData("<a href=\"https://evil.test/login\">https://bank.example/login</a>", true)]
    [InlineData("<a href=\"https://evil.test/login\">www.bank.example</a>", true)]
    [InlineData("<a href=\"http://192.168.10.20/pay\">Pay now</a>", true)]
    [InlineData("<a href=\"http://3232238100/pay\">Pay now</a>", true)]
    [InlineData("<a href=\"http://[2001:db8::1]/pay\">Pay now</a>", true)]
    [InlineData("<a href=\"https://xn--pypal-4ve.com/\">PayPal</a>", true)]
    [InlineData("<a href=\"https://p\u0430ypal.com/\">PayPal</a>", true)]
    [InlineData("<a href=\"https://www.example.com/a\">example.com</a>", false)]
    [InlineData("<a href=\"https://shop.example.com/a\">https://example.com</a>", false)]
    [InlineData("<a href=\"https://example.com/\">Click here</a>", false)]
    [InlineData("<a href=\"mailto:someone@example.com\">evil.test</a>", false)]
    public void Deceptive_links_are_suspicious(string anchor, bool suspicious)
    {
        var email = Analyzers.Create().Analyze($"From: alice@example.com\nContent-Type: text/html; charset=utf-8\n\n<p>{anchor}</p>\n");

        Assert.Equal(suspicious, email.SecurityFlags.Contains(SecurityFlags.SuspiciousLink));
    }

    [Fact]
    public void Failed_spf_dkim_and_dmarc_in_the_receiving_servers_header_are_flagged()
    {
        var email = Analyzers.Create().Analyze("""
            Authentication-Results: mx.example.org; spf=softfail smtp.mailfrom=bank.example; dkim=fail header.d=bank.example; dmarc=fail header.from=bank.example
            From: security@bank.example
            Subject: verify your account

            body
            """);

        Assert.Equal([SecurityFlags.SpfFail, SecurityFlags.DkimFail, SecurityFlags.DmarcFail], email.SecurityFlags);
    }

    [Fact]
    public void Without_auth_serv_id_only_the_topmost_header_is_believed()
    {
        // The sender wrote the lower header; the receiving server's verdict on top says fail.
        var email = Analyzers.Create().Analyze("""
            Authentication-Results: mx.example.org; spf=fail smtp.mailfrom=bank.example
            Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=bank.example; dkim=pass; dmarc=pass
            From: security@bank.example

            body
            """);
        var forgedBelow = Analyzers.Create().Analyze("""
            Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=bank.example
            Authentication-Results: mx.example.org; spf=fail; dkim=fail; dmarc=fail
            From: security@bank.example

            body
            """);

        Assert.Equal([SecurityFlags.SpfFail], email.SecurityFlags);
        Assert.Empty(forgedBelow.SecurityFlags);
    }

    [Fact]
    public void With_auth_serv_id_the_topmost_header_of_that_server_is_believed()
    {
        var analyzer = Analyzers.Create(new AnalysisOptions { AuthServId = "mx.example.org" });

        var email = analyzer.Analyze("""
            Authentication-Results: relay.internal.example.org; spf=pass
            Authentication-Results: mx.example.org; dmarc=fail header.from=bank.example
            Authentication-Results: mx.example.org; dmarc=pass header.from=bank.example
            Authentication-Results: attacker.test; spf=fail; dkim=fail
            From: security@bank.example

            body
            """);

        Assert.Equal([SecurityFlags.DmarcFail], email.SecurityFlags);
    }

    [Fact]
    public void A_multipart_whose_closing_boundary_never_comes_is_malformed()
    {
        var email = Analyzers.Create().Analyze("""
            From: alice@example.com
            Content-Type: multipart/mixed; boundary="b1"

            --b1
            Content-Type: text/plain

            first part, and the message stops here
            """);

        Assert.Contains(SecurityFlags.MalformedMessage, email.SecurityFlags);
        Assert.Contains("first part", email.TextContent);
    }

    [Fact]
    public void Risk_score_adds_the_weights_of_distinct_flags_and_stops_at_100()
    {
        Assert.Equal(0, SecurityFlags.RiskScore([]));
        Assert.Equal(25, SecurityFlags.RiskScore([SecurityFlags.ScriptRemoved, SecurityFlags.ExternalImages, SecurityFlags.ExternalImages]));
        Assert.Equal(100, SecurityFlags.RiskScore([SecurityFlags.DangerousAttachment, SecurityFlags.DoubleExtension, SecurityFlags.RtloFilename]));
        Assert.All(SecurityFlags.Weights, weight => Assert.InRange(weight.Value, 1, 100));
    }
}
