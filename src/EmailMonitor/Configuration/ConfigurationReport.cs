namespace EmailMonitor.Configuration;

/// <summary>Tells people what configuration the service runs with, and what is wrong with it.</summary>
internal static class ConfigurationReport
{
    public const int ExitCode = 2;

    public static async Task<int> FailAsync(IEnumerable<string> problems, TextWriter error)
    {
        await error.WriteLineAsync("email-monitor: configuration error");
        foreach (var problem in problems)
        {
            await error.WriteLineAsync(problem);
        }

        return ExitCode;
    }

    /// <summary>Logs notices, and with <c>--config</c> prints the merged settings with secrets masked.</summary>
    public static async Task ShowAsync(LoadedSettings settings, bool print, TextWriter output, ILogger logger)
    {
        foreach (var notice in settings.Notices)
        {
            logger.ConfigurationNotice(notice);
        }

        if (!print)
        {
            return;
        }

        await output.WriteLineAsync("Settings (secrets masked):");
        foreach (var variable in settings.Effective)
        {
            await output.WriteLineAsync($"  {variable.Name}={variable.ShownValue}  [{variable.Source}]");
        }
    }
}
