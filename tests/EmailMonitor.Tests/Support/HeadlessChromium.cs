using System.Diagnostics;

namespace EmailMonitor.Tests.Support;

/// <summary>Debian's Chromium, headless, loading a page and returning its DOM after scripts ran.</summary>
internal static class HeadlessChromium
{
    public const string Executable = "/usr/bin/chromium";

    /// <summary>What every headless run needs: no sandbox (tests run as root), and its own profile.</summary>
    public static string[] Arguments(string profileDirectory) =>
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
        // Without these, Chromium keeps trying to reach its own servers on this closed network.
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        $"--user-data-dir={profileDirectory}",
    ];

    public static async Task<string> DumpDomAsync(string pagePath)
    {
        using var profile = new TempDirectory();
        var start = new ProcessStartInfo(Executable,
        [
            .. Arguments(profile.Path),
            // Lets timers and pending loads (onerror, onload) run before the DOM is dumped.
            "--virtual-time-budget=5000",
            "--dump-dom", new Uri(pagePath).AbsoluteUri,
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var dom = await output;
        if (dom.Length == 0)
        {
            throw new InvalidOperationException($"Chromium printed no DOM (exit {process.ExitCode}): {await errors}");
        }

        return dom;
    }
}
