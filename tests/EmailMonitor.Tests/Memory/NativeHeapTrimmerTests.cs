using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using EmailMonitor.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EmailMonitor.Tests.Memory;

public sealed class NativeHeapTrimmerTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly Channel<long> _ticks = Channel.CreateUnbounded<long>();
    private readonly List<long> _trimmedAt = [];
    private long _compiled = 4_000;

    [Fact]
    public async Task The_heap_is_trimmed_after_the_runtime_compiled_and_not_again_until_it_compiles_more()
    {
        using var trimmer = Trimmer(trims: true);
        await trimmer.StartAsync(TestContext.Current.CancellationToken);

        await TickAsync();
        await TickAsync();
        _compiled = 4_150;
        await TickAsync();
        await TickAsync();

        await trimmer.StopAsync(TestContext.Current.CancellationToken);
        Assert.Equal([4_000, 4_150], _trimmedAt);
    }

    [Fact]
    public async Task Where_the_C_library_cannot_trim_the_trimmer_stops_asking()
    {
        using var trimmer = Trimmer(trims: false);
        await trimmer.StartAsync(TestContext.Current.CancellationToken);

        await TickAsync();

        // It ends rather than asking again on every tick.
        await trimmer.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal([4_000], _trimmedAt);
    }

    [Fact]
    public async Task As_the_service_makes_it_the_trimmer_counts_what_the_runtime_compiled_and_trims_glibcs_heap()
    {
        Assert.SkipUnless(NativeLibrary.TryLoad("libc.so.6", out _), "glibc is not here");
        var trimmed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = FakeLogCollector.Create(new FakeLogCollectorOptions { OutputSink = _ => trimmed.TrySetResult() });
        using var trimmer = new NativeHeapTrimmer(_time, new FakeLogger<NativeHeapTrimmer>(log));
        await trimmer.StartAsync(TestContext.Current.CancellationToken);

        _time.Advance(NativeHeapTrimmer.Period);
        await trimmed.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        var record = log.LatestRecord;
        Assert.Equal(14001, record.Id.Id);
        Assert.True(long.Parse(record.GetStructuredStateValue("CompiledMethods")!, CultureInfo.InvariantCulture) > 1_000);
        await trimmer.StopAsync(TestContext.Current.CancellationToken);
    }

    private NativeHeapTrimmer Trimmer(bool trims) => new(
        _time,
        NullLogger<NativeHeapTrimmer>.Instance,
        compiledMethods: () =>
        {
            _ticks.Writer.TryWrite(_compiled);
            return _compiled;
        },
        trim: () =>
        {
            _trimmedAt.Add(_compiled);
            return trims;
        });

    // A tick's trim, if any, happens before the loop waits for the next one, so a test that has
    // seen tick N+1 read the count has seen everything tick N did.
    private async Task TickAsync()
    {
        _time.Advance(NativeHeapTrimmer.Period);
        await _ticks.Reader.ReadAsync(TestContext.Current.CancellationToken);
    }
}
