using System.Globalization;
using System.Runtime.CompilerServices;
using EmailMonitor.Configuration;
using EmailMonitor.Security;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Serilog;
using Serilog.Events;
using Serilog.Filters;
using Serilog.Formatting.Display;

namespace EmailMonitor.Observability;

internal static class ObservabilityExtensions
{
    public const string ConsoleTemplate = "{Timestamp:HH:mm:ss} {Level:u3} {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static IHostApplicationBuilder AddObservability(this IHostApplicationBuilder builder, bool debugFromCommandLine)
    {
        builder.Services.AddValidatedOptions<ObservabilityOptions, ObservabilityOptionsValidator>(ObservabilityOptions.Section);
        builder.Services.AddSingleton<ServiceMetrics>();
        builder.Services.AddSingleton<StatsHistory>();
        builder.Services.AddHostedService<StatsRecorder>();
        // Serilog writes the files and the console; providers added after this (tests) still hear every
        // event. Serilog's static logger is left alone: several services may share a process (tests).
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog((services, logger) => Configure(logger, services, debugFromCommandLine), preserveStaticLogger: true, writeToProviders: true);
        builder.Services.AddHealthChecks();
        // No scrape cache: a scrape shows what happened up to that moment, and /metrics is rate limited like every path.
        var telemetry = builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusExporter(exporter => exporter.ScrapeResponseCacheDurationMilliseconds = 0));
        // The meter name is read once the options are bound, so each service in a process can have its own.
        builder.Services.ConfigureOpenTelemetryMeterProvider((services, metrics) =>
            metrics.AddMeter(services.GetRequiredService<IOptions<ObservabilityOptions>>().Value.MeterName));
        builder.Services.AddSingleton<EmailTracing>();
        builder.Services.AddValidatedOptions<TracingOptions, TracingOptionsValidator>(TracingOptions.Section);
        AddTraceExport(builder, telemetry);
        return builder;
    }

    // Traces are exported only to a collector someone named. Whether to is decided here, from the
    // configuration, because an exporter cannot be added once the service provider exists.
    private static void AddTraceExport(IHostApplicationBuilder builder, OpenTelemetry.OpenTelemetryBuilder telemetry)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration[$"{TracingOptions.Section}:{nameof(TracingOptions.OtlpEndpoint)}"]))
        {
            return;
        }

        AddOtlpExport(builder, telemetry);
    }

    // A method of its own, so the OTLP exporter loads only where a collector is named.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddOtlpExport(IHostApplicationBuilder builder, OpenTelemetry.OpenTelemetryBuilder telemetry)
    {
        var instance = Cluster.ClusterOptions.Resolve(builder.Configuration[$"{Cluster.ClusterOptions.Section}:{nameof(Cluster.ClusterOptions.InstanceId)}"]);
        telemetry
            .ConfigureResource(resource => resource.AddService("email-monitor", serviceVersion: Cli.CommandLine.Version, serviceInstanceId: instance))
            .WithTracing(tracing => tracing.AddOtlpExporter());
        builder.Services.ConfigureOpenTelemetryTracerProvider((services, tracing) =>
            tracing.AddSource(services.GetRequiredService<IOptions<ObservabilityOptions>>().Value.TraceSourceName));
        builder.Services.AddOptions<OtlpExporterOptions>().Configure<IOptions<TracingOptions>>(
            (exporter, options) => OtlpExport.Configure(exporter, options.Value));
    }

    public static WebApplication MapObservability(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains(HealthTags.Ready), ResponseWriter = HealthResponse.WriteAsync });
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    private static void Configure(LoggerConfiguration logger, IServiceProvider services, bool debugFromCommandLine)
    {
        var options = services.GetRequiredService<IOptions<ObservabilityOptions>>().Value;
        var time = services.GetRequiredService<TimeProvider>();
        var debug = debugFromCommandLine || options.Debug;
        var level = debug ? LogEventLevel.Debug : options.LogLevel switch
        {
            LogLevelSetting.Debug => LogEventLevel.Debug,
            LogLevelSetting.Warning => LogEventLevel.Warning,
            LogLevelSetting.Error => LogEventLevel.Error,
            _ => LogEventLevel.Information,
        };

        logger.Enrich.With(new LogRedaction(services.GetRequiredService<IConfiguration>()))
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("System.Net.Http", LogEventLevel.Warning)
            // Security events are always recorded, whatever LOG_LEVEL says.
            .MinimumLevel.Override(SecurityLog.Category, LogEventLevel.Information)
            .Enrich.FromLogContext()
            // Logs of several instances gathered in one place still say which instance wrote each line.
            // Read raw: the logger is made before options are validated, and a bad value is reported then.
            .Enrich.WithProperty("instance", Cluster.ClusterOptions.Resolve(services.GetRequiredService<IConfiguration>()[$"{Cluster.ClusterOptions.Section}:{nameof(Cluster.ClusterOptions.InstanceId)}"]))
            .WriteTo.Sink(new RotatingFileSink(
                Path.Combine(options.LogDirectory, "email_monitor.log"),
                JsonLineFormatter.Application,
                options.MaxLogFileBytes,
                options.RetainedLogFiles,
                time))
            .WriteTo.Logger(security => security
                .Filter.ByIncludingOnly(Matching.FromSource(SecurityLog.Category))
                .WriteTo.Sink(new RotatingFileSink(
                    Path.Combine(options.LogDirectory, "security.log"),
                    JsonLineFormatter.Security,
                    options.MaxLogFileBytes,
                    options.RetainedLogFiles,
                    time)));

        if (options.Console || debug)
        {
            logger.WriteTo.Console(new ControlCharacterEscaping(new MessageTemplateTextFormatter(ConsoleTemplate, CultureInfo.InvariantCulture)));
        }
    }
}
