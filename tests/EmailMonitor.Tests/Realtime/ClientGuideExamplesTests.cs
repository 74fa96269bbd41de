using System.Collections.Concurrent;
using System.Diagnostics;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Realtime;

/// <summary>
/// The client guide's two examples (docs/clients/) run against the service as written: they catch
/// up with resume, print live mail, and across a restart of the service reconnect with their
/// token and resume, so every email is printed once, in order.
/// </summary>
public sealed class ClientGuideExamplesTests
{
    [Fact]
    public Task The_javascript_client_prints_every_email_once_across_a_restart() =>
        RunAcrossARestartAsync("node", async () => (await NodeNeedsWebSocketFlagAsync() ? ["--experimental-websocket"] : Array.Empty<string>()).Append(Example("monitor.mjs")));

    [Fact]
    public Task The_python_client_prints_every_email_once_across_a_restart() =>
        // Debian's Python, where scripts/test installs python3-websockets.
        RunAcrossARestartAsync("/usr/bin/python3", () => Task.FromResult<IEnumerable<string>>([Example("monitor.py")]));

    private static async Task RunAcrossARestartAsync(string program, Func<Task<IEnumerable<string>>> arguments)
    {
        var port = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var first = await ServiceHost.StartAsync(variables: v => v["WEBSOCKET_PORT"] = port);
        var before = await InjectedEvents.InjectAsync(first, 2);
        var start = new ProcessStartInfo(program, await arguments())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["EMAIL_MONITOR_URL"] = first.WebSocketUri.AbsoluteUri,
                ["EMAIL_MONITOR_USERNAME"] = ServiceHost.AdminUsername,
                ["EMAIL_MONITOR_PASSWORD"] = first.AdminPassword,
                ["STOP_AFTER"] = "4",
            },
        };
        var lines = new ConcurrentQueue<string>();
        var errors = new ConcurrentQueue<string>();
        using var client = new Process { StartInfo = start };
        client.OutputDataReceived += (_, line) => { if (line.Data is { Length: > 0 } text) { lines.Enqueue(text); } };
        client.ErrorDataReceived += (_, line) => { if (line.Data is { Length: > 0 } text) { errors.Enqueue(text); } };
        client.Start();
        client.BeginOutputReadLine();
        client.BeginErrorReadLine();
        try
        {
            await Eventually.TrueAsync(() => lines.Count == 2, () => $"the client printed the stored two: {string.Join(" | ", lines.Concat(errors))}");

            await first.StopAsync();
            await using var second = await first.StartAgainAsync();
            var after = await InjectedEvents.InjectAsync(second, 2);

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await client.WaitForExitAsync(timeout.Token);
            client.WaitForExit(); // the last lines of output
            Assert.True(client.ExitCode == 0, $"exit {client.ExitCode}: {string.Join(" | ", errors)}");
            var printed = lines.ToList();
            Assert.True(printed.Count == 4, $"printed {printed.Count} of 4: {string.Join(" | ", printed.Concat(errors))}");
            Assert.All(before.Concat(after).Zip(printed), pair => Assert.EndsWith($": Injected {pair.First.Split(':')[^1]} to default", pair.Second));
            var eventIds = printed.Select(line => long.Parse(line[1..line.IndexOf(' ', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(eventIds.Order(), eventIds);
            Assert.Equal(4, eventIds.Distinct().Count());
            Assert.StartsWith($"#{eventIds[0]} risk 0 ", printed[0]);
        }
        finally
        {
            if (!client.HasExited)
            {
                client.Kill(entireProcessTree: true);
            }
        }
    }

    private static string Example(string name) => Path.Combine(RepositoryPaths.Root, "docs", "clients", name);

    // Node 22 has WebSocket built in; Node 20, Debian's, behind a flag.
    private static async Task<bool> NodeNeedsWebSocketFlagAsync() =>
        (await Exec.RunAsync("node", ["-e", "process.stdout.write(typeof WebSocket)"])).Output.Trim() != "function";
}
