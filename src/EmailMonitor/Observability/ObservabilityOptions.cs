namespace EmailMonitor.Observability;

internal sealed class ObservabilityOptions
{
    public const string Section = "Observability";

    public bool Debug { get; set; }

    public LogLevelSetting LogLevel { get; set; }

    public string LogDirectory { get; set; } = string.Empty;

    /// <summary>Also write the application log to the console (on by default; tests turn it off).</summary>
    public bool Console { get; set; } = true;

    /// <summary>Each log file is rolled over when it reaches this size, and at midnight UTC.</summary>
    public long MaxLogFileBytes { get; set; } = 10 * 1024 * 1024;

    public int RetainedLogFiles { get; set; } = 14;

    /// <summary>
    /// The name of the service's meter. Metrics listeners subscribe by name across the whole
    /// process, so services sharing one (tests) each need their own.
    /// </summary>
    public string MeterName { get; set; } = ServiceMetrics.DefaultMeterName;

    /// <summary>The name of the source of email traces; like <see cref="MeterName"/>, one per service in a process.</summary>
    public string TraceSourceName { get; set; } = EmailTracing.DefaultSourceName;
}
