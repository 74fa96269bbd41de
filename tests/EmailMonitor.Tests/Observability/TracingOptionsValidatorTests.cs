using EmailMonitor.Observability;

namespace EmailMonitor.Tests.Observability;

public sealed class TracingOptionsValidatorTests
{
    [Theory]
    [InlineData("https://collector.example:4318", "x-api-key=secret", null)]
    [InlineData("http://127.0.0.1:4318", "x-api-key=secret", null)]
    [InlineData("http://collector.example:4318", "", null)]
    [InlineData("http://collector.example:4318", "x-api-key=secret", "OTEL_EXPORTER_OTLP_HEADERS: sent only over https")]
    [InlineData("ftp://collector.example", "", "OTEL_EXPORTER_OTLP_ENDPOINT: expected the collector's address")]
    [InlineData("http://user:pw@collector.example:4318", "", "OTEL_EXPORTER_OTLP_ENDPOINT: expected the collector's address")]
    public void A_collector_key_never_travels_in_clear_beyond_this_machine(string endpoint, string headers, string? problem)
    {
        var result = new TracingOptionsValidator().Validate(null, new TracingOptions { OtlpEndpoint = endpoint, OtlpHeaders = headers });

        if (problem is null)
        {
            Assert.True(result.Succeeded, result.FailureMessage);
        }
        else
        {
            Assert.StartsWith(problem, Assert.Single(result.Failures!), StringComparison.Ordinal);
        }
    }
}
