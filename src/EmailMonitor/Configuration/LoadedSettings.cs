namespace EmailMonitor.Configuration;

/// <summary>The outcome of reading CONTRACT §3 variables: typed configuration values and every problem found.</summary>
internal sealed record LoadedSettings(
    IReadOnlyDictionary<string, string?> ConfigurationValues,
    IReadOnlyList<string> Problems,
    IReadOnlyList<string> Notices,
    IReadOnlyList<EffectiveVariable> Effective)
{
    /// <summary>The ASP.NET Core environment name for <c>ENVIRONMENT</c>.</summary>
    public string EnvironmentName =>
        ConfigurationValues.TryGetValue("Service:Environment", out var value) && value is not null
            ? char.ToUpperInvariant(value[0]) + value[1..]
            : "Development";
}
