using EmailMonitor.Observability;
using EmailMonitor.Plugins;
using Microsoft.Extensions.Options;

namespace EmailMonitor.PluginHost;

/// <summary>
/// Calls a plugin within <see cref="PluginOptions.Timeout"/>, isolated from what it does wrong: an
/// exception or a call past its time is logged and the caller goes on without its answer; a
/// plugin still busy with an earlier call is passed over until that call ends.
/// </summary>
internal sealed class PluginCalls(IOptions<PluginOptions> options, ServiceMetrics metrics, TimeProvider time, ILogger<PluginCalls> logger)
{
    /// <summary>The plugin's answer, or null when it threw, ran out of time or was still busy.</summary>
    public async Task<TResult?> CallAsync<TPlugin, TResult>(
        LoadedPlugin<TPlugin> plugin, Func<TPlugin, CancellationToken, ValueTask<TResult>> call, string what, CancellationToken cancellationToken)
        where TPlugin : IEmailPlugin
        where TResult : class
    {
        if (plugin.Busy)
        {
            if (!plugin.SkipReported)
            {
                logger.PluginBusy(plugin.Name);
                plugin.SkipReported = true;
            }

            metrics.PluginCall(plugin.Name, "skipped");
            return null;
        }

        plugin.SkipReported = false;
        var timeout = options.Value.Timeout;
        // Told to stop when its time is up or the service stops, whichever comes first.
        var timer = new CancellationTokenSource(timeout, time);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        // On the thread pool: a plugin that blocks before its first await (a sync loop, a
        // Thread.Sleep) must hold a pool thread, not this pipeline.
        var running = Task.Run(() => call(plugin.Plugin, stop.Token).AsTask(), CancellationToken.None);
        plugin.Running = running;
        _ = running.ContinueWith(
            static (finished, state) =>
            {
                _ = finished.Exception;
                var (timer, stop) = ((CancellationTokenSource, CancellationTokenSource))state!;
                stop.Dispose();
                timer.Dispose();
            },
            (timer, stop),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        try
        {
            var result = await running.WaitAsync(timeout, time, cancellationToken);
            metrics.PluginCall(plugin.Name, "ok");
            return result;
        }
        catch (TimeoutException)
        {
            logger.PluginTimedOut(plugin.Name, what, (int)timeout.TotalMilliseconds);
            metrics.PluginCall(plugin.Name, "timeout");
            return null;
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The plugin gave up when its token told it the time was up.
            logger.PluginTimedOut(plugin.Name, what, (int)timeout.TotalMilliseconds);
            metrics.PluginCall(plugin.Name, "timeout");
            return null;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Whatever the plugin threw, its own cancellations included: its failure, not the service's.
            logger.PluginFailed(plugin.Name, what, ex.GetType().Name, ex.Message);
            metrics.PluginCall(plugin.Name, "failed");
            return null;
        }
    }
}
