namespace EmailMonitor.Configuration;

/// <summary>Settings that several features read: which kind of deployment this is.</summary>
internal sealed class ServiceOptions
{
    public const string Section = "Service";

    public DeploymentEnvironment Environment { get; set; }

    public bool IsDevelopment => Environment == DeploymentEnvironment.Development;
}
