using OpenTelemetry.Exporter;

namespace EmailMonitor.Observability;

/// <summary>
/// The OTLP exporter of email traces, set up as OpenTelemetry's own variables describe it
/// (OTEL_EXPORTER_OTLP_ENDPOINT is the collector's base address; over http/protobuf traces go to
/// its /v1/traces), from the service's settings rather than the process environment, so that
/// several services in one process (tests) can each have their own.
/// </summary>
internal static class OtlpExport
{
    public static string? EndpointProblem(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            && uri.UserInfo.Length == 0 && uri.Query.Length == 0 && uri.Fragment.Length == 0
            ? null
            : "expected the collector's address, http(s)://host:port (4318 for http/protobuf, 4317 for grpc)";

    /// <summary>True when headers would travel unencrypted beyond this machine.</summary>
    public static bool SendsHeadersInClear(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme == "http" && !uri.IsLoopback;

    public static string? HeadersProblem(string headers) =>
        headers.Split(',', StringSplitOptions.RemoveEmptyEntries).All(pair => pair.IndexOf('=', StringComparison.Ordinal) > 0)
            ? null
            : "expected key=value pairs separated by commas";

    public static void Configure(OtlpExporterOptions exporter, TracingOptions options)
    {
        // A malformed value is reported by the options' validation, which names it; here it is only left out.
        if (EndpointProblem(options.OtlpEndpoint) is not null)
        {
            return;
        }

        var grpc = options.OtlpProtocol == "grpc";
        exporter.Protocol = grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        var endpoint = new Uri(options.OtlpEndpoint);
        // Given in code, the endpoint is taken as it is: the signal's path is added here, as the
        // specification has it for the variable.
        exporter.Endpoint = grpc || endpoint.AbsolutePath.EndsWith("/v1/traces", StringComparison.Ordinal)
            ? endpoint
            : new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + "/v1/traces");
        if (options.OtlpHeaders.Length > 0 && HeadersProblem(options.OtlpHeaders) is null)
        {
            exporter.Headers = options.OtlpHeaders;
        }
    }
}
