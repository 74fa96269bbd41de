using EmailMonitor.Observability;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog.Parsing;

namespace EmailMonitor.Tests.Observability;

public sealed class RotatingFileSinkTests
{
    [Fact]
    public void The_current_file_keeps_its_name_and_old_ones_roll_to_numbered_files_up_to_the_limit()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("security.log");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero));
        using (var sink = new RotatingFileSink(path, new MessageTemplateTextFormatter("{Message}{NewLine}"), maxBytes: 100, retainedFiles: 2, time))
        {
            for (var i = 0; i < 20; i++)
            {
                sink.Emit(Event($"line {i:D2} " + new string('x', 30)));
            }
        }

        Assert.True(File.Exists(path));
        Assert.True(File.Exists(path + ".1"));
        Assert.True(File.Exists(path + ".2"));
        Assert.False(File.Exists(path + ".3"));
        Assert.Contains("line 19", File.ReadAllText(path));
        Assert.DoesNotContain("line 19", File.ReadAllText(path + ".1"));
    }

    [Fact]
    public void A_new_utc_day_starts_a_new_file()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("email_monitor.log");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 23, 59, 0, TimeSpan.Zero));
        using (var sink = new RotatingFileSink(path, new MessageTemplateTextFormatter("{Message}{NewLine}"), maxBytes: 1_000_000, retainedFiles: 5, time))
        {
            sink.Emit(Event("yesterday"));
            time.Advance(TimeSpan.FromMinutes(2));
            sink.Emit(Event("today"));
        }

        Assert.Equal("today", File.ReadAllText(path).Trim());
        Assert.Equal("yesterday", File.ReadAllText(path + ".1").Trim());
    }

    private static LogEvent Event(string text) =>
        new(DateTimeOffset.UtcNow, LogEventLevel.Information, null, new MessageTemplateParser().Parse(text), []);
}
