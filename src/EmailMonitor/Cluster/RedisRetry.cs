using StackExchange.Redis;

namespace EmailMonitor.Cluster;

/// <summary>Retries a Redis operation that must eventually succeed (a subscription) until it does or the service stops.</summary>
internal static class RedisRetry
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);

    public static async Task<T> UntilDoneAsync<T>(Func<Task<T>> operation, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try
            {
                return await operation();
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.RedisUnavailable(ex.GetType().Name);
                await Task.Delay(delay, time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
        }
    }
}
