using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace EmailMonitor.Tests.Support;

/// <summary>
/// The built <c>email-monitor</c> executable as its own process, for what only a process shows:
/// exit codes, console output, signals and being killed.
/// </summary>
internal sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly IReadOnlyDictionary<string, string> _variables;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceProcess(Process process, IReadOnlyDictionary<string, string> variables)
    {
        _process = process;
        _variables = variables;
    }

    public static string Executable => Path.Combine(AppContext.BaseDirectory, "email-monitor.dll");

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static ServiceProcess Start(IReadOnlyDictionary<string, string> variables, string workingDirectory, params string[] arguments)
    {
        // A test run started in the background (CI, nohup, "&") inherits SIGINT ignored, and .NET then
        // keeps ignoring it, as a background program should; the service is started with the default
        // disposition so the signal tests test the service, not how the run was launched.
        var start = new ProcessStartInfo("env", ["--default-signal=INT,QUIT", "dotnet", Executable, .. arguments])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };

        // Only what the test sets: nothing from the test runner's environment leaks in.
        foreach (var name in start.Environment.Keys.Where(k => k is not ("PATH" or "HOME" or "DOTNET_ROOT" or "TMPDIR")).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(process, variables);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>Runs to completion and returns the exit code with everything printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string> variables, string workingDirectory, params string[] arguments)
    {
        await using var service = Start(variables, workingDirectory, arguments);
        var exitCode = await service.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, service.Output);
    }

    /// <summary>The address the service listens on, once it says so.</summary>
    public async Task<Uri> ListeningAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            return await _listening.Task.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("The service did not start listening. Output:\n" + Output);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("The service did not exit in time. Output:\n" + Output);
        }

        return _process.ExitCode;
    }

    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString()])!;
        await kill.WaitForExitAsync();
    }

    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        TestOutput.WriteLine("[process output]\n" + Output);
        _process.Dispose();
        LogSecrets.AssertNoneIn(Output, _variables, "the console output");
        if (_variables.TryGetValue("LOG_DIR", out var logs))
        {
            LogSecrets.AssertNoneIn(logs, _variables);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://[^\s""]+)")]
    private static partial Regex ListeningLine();
}
