namespace EmailMonitor.Observability;

internal enum LogLevelSetting
{
    Debug,
    Info,
    Warning,
    Error,
}
