using EmailMonitor.Alerts;
using EmailMonitor.Mail;

namespace EmailMonitor.Tests.Alerts;

public sealed class AlertOptionsValidatorTests
{
    [Fact]
    public void Alerts_are_off_by_default_and_that_is_valid()
    {
        var options = new AlertOptions();

        Assert.False(options.Enabled);
        Assert.True(new AlertOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void A_complete_configuration_is_valid_and_the_port_follows_the_security()
    {
        var options = Valid();

        Assert.True(new AlertOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(587, options.Port);
        Assert.Equal(465, new AlertOptions { SmtpSecurity = MailSecurity.Ssl }.Port);
        Assert.Equal(25, new AlertOptions { SmtpSecurity = MailSecurity.None }.Port);
        Assert.Equal(2525, new AlertOptions { SmtpPort = 2525 }.Port);
    }

    [Theory]
    [InlineData("to-without-host", "ALERT_SMTP_HOST: required")]
    [InlineData("host", "ALERT_SMTP_HOST: not a valid host")]
    [InlineData("port", "ALERT_SMTP_PORT: must be between 1 and 65535")]
    [InlineData("from", "ALERT_SMTP_FROM: required, one e-mail address")]
    [InlineData("from-with-name", "ALERT_SMTP_FROM: required, one e-mail address")]
    [InlineData("no-to", "ALERT_SMTP_TO: at least one recipient")]
    [InlineData("bad-to", "ALERT_SMTP_TO: 'desk@example.com\nBcc: x@evil.example' is not an e-mail address")]
    [InlineData("two-in-one", "ALERT_SMTP_TO: 'a@example.com, b@example.com' is not an e-mail address")]
    [InlineData("many-to", "ALERT_SMTP_TO: at most 50 recipients")]
    [InlineData("half-login", "ALERT_SMTP_USERNAME, ALERT_SMTP_PASSWORD: set both")]
    [InlineData("score", "ALERT_MIN_RISK_SCORE: must be between 0 and 100")]
    [InlineData("interval", "ALERT_INTERVAL: must be between 1 and 86400 seconds")]
    [InlineData("insecure", "ALERT_SMTP_SECURITY: none would send alerts (and any password) in clear text")]
    public void A_bad_setting_is_named_with_how_to_fix_it(string mistake, string expected)
    {
        var options = mistake switch
        {
            "to-without-host" => new AlertOptions { To = ["desk@example.com"] },
            "host" => Valid(o => o.SmtpHost = "smtp example com"),
            "port" => Valid(o => o.SmtpPort = 70000),
            "from" => Valid(o => o.From = string.Empty),
            "from-with-name" => Valid(o => o.From = "Monitor <monitor@example.com>"),
            "no-to" => Valid(o => o.To = []),
            "bad-to" => Valid(o => o.To = ["desk@example.com\nBcc: x@evil.example"]),
            "two-in-one" => Valid(o => o.To = ["a@example.com, b@example.com"]),
            "many-to" => Valid(o => o.To = [.. Enumerable.Range(0, 51).Select(i => $"r{i}@example.com")]),
            "half-login" => Valid(o => o.SmtpUsername = "alerts"),
            "score" => Valid(o => o.MinRiskScore = 101),
            "interval" => Valid(o => o.Interval = TimeSpan.Zero),
            "insecure" => Valid(o => o.SmtpSecurity = MailSecurity.None),
            _ => throw new ArgumentOutOfRangeException(nameof(mistake)),
        };

        var result = new AlertOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, failure => failure.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Plain_smtp_is_allowed_to_a_loopback_relay_or_when_asked_for()
    {
        var validator = new AlertOptionsValidator();

        Assert.True(validator.Validate(null, Valid(o => { o.SmtpSecurity = MailSecurity.None; o.SmtpHost = "127.0.0.1"; })).Succeeded);
        Assert.True(validator.Validate(null, Valid(o => { o.SmtpSecurity = MailSecurity.None; o.SmtpHost = "localhost"; })).Succeeded);
        Assert.True(validator.Validate(null, Valid(o => { o.SmtpSecurity = MailSecurity.None; o.AllowInsecure = true; })).Succeeded);
    }

    private static AlertOptions Valid(Action<AlertOptions>? change = null)
    {
        var options = new AlertOptions { SmtpHost = "smtp.example.com", From = "monitor@example.com", To = ["desk@example.com"] };
        change?.Invoke(options);
        return options;
    }
}
