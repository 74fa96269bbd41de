using EmailMonitor;
using EmailMonitor.Cli;
using EmailMonitor.Configuration;

var cli = CommandLine.Parse(args);
if (cli.Problem is not null)
{
    await Console.Error.WriteLineAsync($"email-monitor: {cli.Problem}; see --help");
    return CommandLine.UsageError;
}

if (cli.ShowHelp || cli.ShowVersion)
{
    await Console.Out.WriteAsync(cli.ShowHelp ? CommandLine.Usage : $"email-monitor {CommandLine.Version}\n");
    return CommandLine.Success;
}

var settings = SettingsLoader.Load(EnvironmentVariables.Read(), cli.ConfigPath);
if (cli.Health)
{
    return await HealthCommand.RunAsync(settings, Console.Out, CancellationToken.None);
}

await using var app = ServiceApp.Build(settings, cli.Debug);
var problems = settings.Problems.Concat(app.Services.FindConfigurationProblems()).ToList();
if (problems.Count > 0)
{
    return await ConfigurationReport.FailAsync(problems, Console.Error);
}

await ConfigurationReport.ShowAsync(settings, cli.ConfigPath is not null, Console.Out, app.Logger);
if (cli.TestEmail)
{
    return await TestEmailCommand.RunAsync(app.Services, Console.Out, CancellationToken.None);
}

if (await ServiceApp.PrepareAsync(app, Console.Out, CancellationToken.None) is { } problem)
{
    return await ConfigurationReport.FailAsync([problem], Console.Error);
}

await app.RunAsync();
return CommandLine.Success;
