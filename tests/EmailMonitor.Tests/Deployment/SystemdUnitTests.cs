using System.Globalization;
using System.Text.RegularExpressions;
using EmailMonitor.Configuration;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Deployment;

/// <summary>deploy/systemd/email-monitor.service: as hardened as systemd can rate it, and speaking the service's own variables.</summary>
public sealed partial class SystemdUnitTests
{
    private static readonly string Unit = Path.Combine(RepositoryPaths.Root, "deploy", "systemd", "email-monitor.service");

    [Fact]
    public async Task Systemd_rates_the_unit_ok_at_2_or_below()
    {
        var (_, output) = await Exec.RunAsync("systemd-analyze", ["security", "--offline=true", "--no-pager", Unit]);

        var overall = OverallExposure().Match(output);
        Assert.True(overall.Success, output);
        var exposure = double.Parse(overall.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(exposure <= 2.0, $"exposure {exposure}:\n{output}");
        Assert.Contains($"rates this{Environment.NewLine}# unit {overall.Groups[1].Value} OK", await File.ReadAllTextAsync(Unit, TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_unit_sets_only_variables_the_service_knows_and_never_a_secret()
    {
        var lines = await File.ReadAllLinesAsync(Unit, TestContext.Current.CancellationToken);
        var set = lines.Where(l => l.StartsWith("Environment=", StringComparison.Ordinal)).Select(l => l["Environment=".Length..].Split('=')[0]).ToList();

        Assert.Contains("ENVIRONMENT", set);
        Assert.All(set.Where(name => !name.StartsWith("DOTNET_", StringComparison.Ordinal)), name => Assert.NotNull(ContractVariables.Find(name)));
        Assert.All(set, name => Assert.False(ContractVariables.Find(name)?.IsSecret ?? false, $"{name} is a secret: it belongs in the EnvironmentFile"));
        Assert.Contains("ReadWritePaths=/var/lib/email-monitor /var/log/email-monitor", lines);
        Assert.Contains("RestartPreventExitStatus=2", lines);
    }

    [GeneratedRegex(@"Overall exposure level for email-monitor\.service: (\d+\.\d+) OK")]
    private static partial Regex OverallExposure();
}
