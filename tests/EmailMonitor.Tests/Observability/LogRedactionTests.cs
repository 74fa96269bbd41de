using EmailMonitor.Observability;
using Microsoft.Extensions.Configuration;
using Serilog.Events;
using Serilog.Parsing;

namespace EmailMonitor.Tests.Observability;

public sealed class LogRedactionTests
{
    private readonly LogRedaction _redaction = new(new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:JwtSecretKey"] = "jwt-secret-for-the-redaction-test-0123456789",
            ["Auth:AdminPassword"] = "admin-pass-9876",
            ["Mail:Password"] = "imap-pass-4567",
        })
        .Build());

    [Theory]
    [InlineData("Password", "hunter2")]
    [InlineData("RefreshToken", "abc")]
    [InlineData("Authorization", "Bearer xyz")]
    [InlineData("ClientSecret", "s")]
    [InlineData("Body", "Dear customer, your code is 123456")]
    public void Properties_named_for_secrets_or_bodies_are_replaced(string name, string value)
    {
        var logEvent = Event(name, value);

        _redaction.Enrich(logEvent, null!);

        Assert.Equal(LogRedaction.Redacted, ((ScalarValue)logEvent.Properties[name]).Value);
    }

    [Theory]
    [InlineData("login failed with imap-pass-4567 in the text", "login failed with [redacted] in the text")]
    [InlineData("key jwt-secret-for-the-redaction-test-0123456789", "key [redacted]")]
    [InlineData("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl here", "token [redacted] here")]
    public void Text_holding_a_configured_secret_or_a_jwt_is_scrubbed(string text, string expected)
    {
        var logEvent = Event("Reason", text);

        _redaction.Enrich(logEvent, null!);

        Assert.Equal(expected, ((ScalarValue)logEvent.Properties["Reason"]).Value);
    }

    [Fact]
    public void Ordinary_values_are_left_alone()
    {
        var logEvent = Event("Folder", "default/INBOX");

        _redaction.Enrich(logEvent, null!);

        Assert.Equal("default/INBOX", ((ScalarValue)logEvent.Properties["Folder"]).Value);
    }

    private static LogEvent Event(string name, string value) =>
        new(DateTimeOffset.UtcNow, LogEventLevel.Information, null, new MessageTemplateParser().Parse("{" + name + "}"), [new LogEventProperty(name, new ScalarValue(value))]);
}
