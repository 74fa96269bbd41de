namespace EmailMonitor.Observability;

/// <summary>
/// Where traces of emails go (OpenTelemetry's own variable names). Apart from
/// <see cref="ObservabilityOptions"/>, which the logger reads before validation can report anything.
/// </summary>
internal sealed class TracingOptions
{
    public const string Section = "Tracing";

    /// <summary>OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base address; empty = no traces.</summary>
    public string OtlpEndpoint { get; set; } = string.Empty;

    /// <summary>OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf or grpc.</summary>
    public string OtlpProtocol { get; set; } = "http/protobuf";

    /// <summary>OTEL_EXPORTER_OTLP_HEADERS: key=value pairs, comma-separated, sent with each export.</summary>
    public string OtlpHeaders { get; set; } = string.Empty;
}
