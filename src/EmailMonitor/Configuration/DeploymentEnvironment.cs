namespace EmailMonitor.Configuration;

internal enum DeploymentEnvironment
{
    Development,
    Staging,
    Production,
}
