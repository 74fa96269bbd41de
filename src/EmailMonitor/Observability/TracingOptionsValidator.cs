using Microsoft.Extensions.Options;

namespace EmailMonitor.Observability;

internal sealed class TracingOptionsValidator : IValidateOptions<TracingOptions>
{
    public ValidateOptionsResult Validate(string? name, TracingOptions options)
    {
        var failures = new List<string>();
        if (options.OtlpEndpoint.Length > 0 && OtlpExport.EndpointProblem(options.OtlpEndpoint) is { } endpoint)
        {
            failures.Add($"OTEL_EXPORTER_OTLP_ENDPOINT: {endpoint}");
        }

        if (options.OtlpHeaders.Length > 0 && OtlpExport.HeadersProblem(options.OtlpHeaders) is { } headers)
        {
            failures.Add($"OTEL_EXPORTER_OTLP_HEADERS: {headers}");
        }
        else if (options.OtlpHeaders.Length > 0 && OtlpExport.SendsHeadersInClear(options.OtlpEndpoint))
        {
            failures.Add("OTEL_EXPORTER_OTLP_HEADERS: sent only over https, or over http to a loopback address (they usually hold a key)");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
