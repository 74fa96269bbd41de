using System.Runtime;

namespace EmailMonitor.Memory;

/// <summary>
/// Returns the compiler's scratch memory to the system after the runtime has compiled code. The
/// runtime compiles the service's code at start-up and again at the first email or request of
/// each kind; glibc keeps the freed memory in its heap, about 15 MiB of the idle service's
/// resident memory (docs/benchmarks.md, the idle service).
/// </summary>
internal sealed class NativeHeapTrimmer(TimeProvider time, ILogger<NativeHeapTrimmer> logger) : BackgroundService
{
    /// <summary>How often the heap is trimmed while the runtime is still compiling.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    // Made with the service rather than when it starts, which is on a thread of its own.
    private readonly PeriodicTimer _timer = new(Period, time);
    private readonly Func<long> _compiledMethods = () => JitInfo.GetCompiledMethodCount();
    private readonly Func<bool> _trim = NativeHeap.TryTrim;

    /// <summary>For tests: the count of compiled methods and the trim are given.</summary>
    internal NativeHeapTrimmer(TimeProvider time, ILogger<NativeHeapTrimmer> logger, Func<long> compiledMethods, Func<bool> trim)
        : this(time, logger)
    {
        _compiledMethods = compiledMethods;
        _trim = trim;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var trimmedAt = long.MinValue;
        try
        {
            while (await _timer.WaitForNextTickAsync(stoppingToken))
            {
                // The service compiles a little now and then long after start-up (the first email,
                // methods that became hot enough to be compiled again); nothing compiled, nothing freed.
                var compiled = _compiledMethods();
                if (compiled == trimmedAt)
                {
                    continue;
                }

                trimmedAt = compiled;
                var started = time.GetTimestamp();
                if (!_trim())
                {
                    logger.NativeHeapTrimUnavailable();
                    return;
                }

                logger.NativeHeapTrimmed(compiled, time.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        _timer.Dispose();
        base.Dispose();
    }
}
