using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EmailMonitor.Tests.Support;

/// <summary>
/// One tab of Debian's headless Chromium, driven over the DevTools protocol: navigate, then run
/// script in the page as a user's clicks and typing would.
/// </summary>
internal sealed partial class ChromiumPage : IAsyncDisposable
{
    private readonly Process _browser;
    private readonly TempDirectory _profile;
    private readonly ClientWebSocket _devTools = new();
    private int _nextId;

    private ChromiumPage(Process browser, TempDirectory profile)
    {
        _browser = browser;
        _profile = profile;
    }

    public static async Task<ChromiumPage> OpenAsync()
    {
        var profile = new TempDirectory();
        var start = new ProcessStartInfo(HeadlessChromium.Executable,
        [
            .. HeadlessChromium.Arguments(profile.Path),
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
            "about:blank",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var browser = Process.Start(start)!;
        var page = new ChromiumPage(browser, profile);
        try
        {
            var port = await ReadDevToolsPortAsync(browser);
            using var http = new HttpClient();
            var targets = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"));
            var tab = targets.RootElement.EnumerateArray().First(t => t.GetProperty("type").GetString() == "page");
            await page._devTools.ConnectAsync(new Uri(tab.GetProperty("webSocketDebuggerUrl").GetString()!), CancellationToken.None);
            return page;
        }
        catch
        {
            await page.DisposeAsync();
            throw;
        }
    }

    public async Task NavigateAsync(Uri url)
    {
        await CallAsync("Page.navigate", new { url = url.AbsoluteUri });
        await WaitUntilAsync("document.readyState === 'complete' && location.href !== 'about:blank'", "the page loaded");
    }

    /// <summary>Runs script in the page and returns its value (as JSON).</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var result = await CallAsync("Runtime.evaluate", new { expression, returnByValue = true, awaitPromise = true });
        if (result.TryGetProperty("exceptionDetails", out var exception))
        {
            throw new InvalidOperationException($"Script failed: {exception}");
        }

        return result.GetProperty("result").TryGetProperty("value", out var value) ? value : default;
    }

    public async Task WaitUntilAsync(string condition, string description, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!(await EvaluateAsync($"!!({condition})")).GetBoolean())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not true in the browser in time: {description}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>A key pressed and released as a person would, on whatever has the focus (Enter on a button clicks it).</summary>
    public async Task PressAsync(string key)
    {
        var (code, keyCode, text) = key switch
        {
            "Enter" => ("Enter", 13, "\r"),
            "Escape" => ("Escape", 27, string.Empty),
            "Tab" => ("Tab", 9, string.Empty),
            "/" => ("Slash", 191, "/"),
            [var letter] when char.IsAsciiLetterLower(letter) => ($"Key{char.ToUpperInvariant(letter)}", (int)char.ToUpperInvariant(letter), key),
            _ => throw new ArgumentOutOfRangeException(nameof(key), key, "no key code known"),
        };
        await CallAsync("Input.dispatchKeyEvent", new { type = text.Length > 0 ? "keyDown" : "rawKeyDown", key, code, windowsVirtualKeyCode = keyCode, text });
        await CallAsync("Input.dispatchKeyEvent", new { type = "keyUp", key, code, windowsVirtualKeyCode = keyCode });
    }

    /// <summary>The page as a device of this size would show it (a phone: 375 × 667).</summary>
    public Task SetViewportAsync(int width, int height, bool mobile) =>
        CallAsync("Emulation.setDeviceMetricsOverride", new { width, height, deviceScaleFactor = 1, mobile });

    /// <summary>The visible page as a PNG.</summary>
    public async Task<byte[]> ScreenshotAsync() =>
        Convert.FromBase64String((await CallAsync("Page.captureScreenshot", new { format = "png" })).GetProperty("data").GetString()!);

    public async ValueTask DisposeAsync()
    {
        _devTools.Dispose();
        if (!_browser.HasExited)
        {
            _browser.Kill(entireProcessTree: true);
            await _browser.WaitForExitAsync();
        }

        _browser.Dispose();
        _profile.Dispose();
    }

    private async Task<JsonElement> CallAsync(string method, object parameters)
    {
        var id = Interlocked.Increment(ref _nextId);
        var request = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _devTools.SendAsync(request, WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[1 << 20];
        while (true)
        {
            var length = 0;
            ValueWebSocketReceiveResult received;
            do
            {
                received = await _devTools.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
                length += received.Count;
            }
            while (!received.EndOfMessage);

            // Events arrive in between; only the answer with this id is wanted.
            using var message = JsonDocument.Parse(buffer.AsMemory(0, length));
            if (message.RootElement.TryGetProperty("id", out var answered) && answered.GetInt32() == id)
            {
                if (message.RootElement.TryGetProperty("error", out var error))
                {
                    throw new InvalidOperationException($"{method} failed: {error}");
                }

                return message.RootElement.GetProperty("result").Clone();
            }
        }
    }

    private static async Task<int> ReadDevToolsPortAsync(Process browser)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await browser.StandardError.ReadLineAsync(timeout.Token) is { } line)
        {
            if (DevToolsListening().Match(line) is { Success: true } match)
            {
                _ = browser.StandardError.ReadToEndAsync(CancellationToken.None);
                return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("Chromium did not open its DevTools port.");
    }

    [GeneratedRegex(@"DevTools listening on ws://127\.0\.0\.1:(\d+)/")]
    private static partial Regex DevToolsListening();
}
