using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.RegularExpressions;
using EmailMonitor.Observability;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Tests.Deployment;

/// <summary>
/// deploy/prometheus and deploy/grafana: the alert rules pass promtool's check and their own unit
/// tests, and every metric the rules and the dashboard ask for is one the service exports.
/// </summary>
public sealed partial class ObservabilityPackTests
{
    private static readonly string Rules = Path.Combine(RepositoryPaths.Root, "deploy", "prometheus", "email-monitor.rules.yml");
    private static readonly string RuleTests = Path.Combine(RepositoryPaths.Root, "deploy", "prometheus", "email-monitor.rules.test.yml");
    private static readonly string Dashboard = Path.Combine(RepositoryPaths.Root, "deploy", "grafana", "email-monitor.json");

    [Fact]
    public async Task Promtool_accepts_the_rules_and_their_unit_tests_pass()
    {
        var (checkExit, checkOutput) = await PromtoolAsync("check", "rules", Rules);
        Assert.True(checkExit == 0, checkOutput);
        Assert.Contains("SUCCESS: 7 rules found", checkOutput, StringComparison.Ordinal);

        var (testExit, testOutput) = await PromtoolAsync("test", "rules", RuleTests);
        Assert.True(testExit == 0, testOutput);
    }

    [Fact]
    public async Task Every_metric_the_rules_and_the_dashboard_use_is_exported()
    {
        await using var service = await ServiceHost.StartAsync();
        var exported = new HashSet<string>(StringComparer.Ordinal);
        var meterName = service.Get<IOptions<ObservabilityOptions>>().Value.MeterName;
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == meterName)
                {
                    exported.UnionWith(PrometheusNames(instrument));
                }
            };
            listener.Start();
        }

        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Dashboard, TestContext.Current.CancellationToken));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!)
            .Append(await File.ReadAllTextAsync(Rules, TestContext.Current.CancellationToken))
            .ToList();
        var used = expressions.SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.True(exported.Contains(name), $"{name} is not exported; the service has {string.Join(", ", exported.Order(StringComparer.Ordinal))}"));
    }

    // How the OpenTelemetry Prometheus exporter names an instrument: dots as underscores, the unit
    // (seconds) and, for counters, _total after it; a histogram as its buckets, sum and count.
    private static IEnumerable<string> PrometheusNames(Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_') + (instrument.Unit == "s" ? "_seconds" : string.Empty);
        var type = instrument.GetType();
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Counter<>))
        {
            return [name + "_total"];
        }

        return type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Histogram<>)
            ? [name + "_bucket", name + "_sum", name + "_count"]
            : [name];
    }

    private static Task<(int ExitCode, string Output)> PromtoolAsync(params string[] arguments)
    {
        Assert.True(File.Exists("/usr/bin/promtool"), "promtool is missing: Debian's prometheus package has it (scripts/test installs it)");
        return Exec.RunAsync("/usr/bin/promtool", arguments, Path.GetDirectoryName(RuleTests));
    }

    [GeneratedRegex(@"\bemail_monitor_[a-z_]+\b")]
    private static partial Regex MetricName();
}
