using Microsoft.Extensions.Logging;

namespace EmailMonitor.Tests.Support;

/// <summary>The service's log lines in the test output, the first thing to read when a test fails.</summary>
internal sealed class TestLoggerProvider(string name) : ILoggerProvider
{
    // Captured where the test runs, for log lines written from work a request started.
    private readonly ITestOutputHelper? _output = TestContext.Current.TestOutputHelper;

    public ILogger CreateLogger(string categoryName) => new Logger(name, categoryName, _output);

    public void Dispose()
    {
    }

    private sealed class Logger(string name, string category, ITestOutputHelper? output) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var shortCategory = category[(category.LastIndexOf('.') + 1)..];
            TestOutput.WriteLine($"[{name} {DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {shortCategory}] {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception.GetType().Name + ": " + exception.Message)}", output);
        }
    }
}
