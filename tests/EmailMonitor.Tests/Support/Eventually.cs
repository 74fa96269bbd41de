namespace EmailMonitor.Tests.Support;

/// <summary>
/// Polls a condition that becomes true through the service's own work (a commit, a disconnect)
/// where no event can be awaited, failing with the description when it does not in time.
/// </summary>
internal static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, string description, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), description, timeout);

    public static Task TrueAsync(Func<Task<bool>> condition, string description, TimeSpan? timeout = null) =>
        TrueAsync(condition, () => description, timeout);

    /// <summary>As above, with a description made when it fails (saying what the state was then).</summary>
    public static Task TrueAsync(Func<bool> condition, Func<string> description, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), description, timeout);

    public static async Task TrueAsync(Func<Task<bool>> condition, Func<string> description, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not true in time: {description()}");
            }

            await Task.Delay(20);
        }
    }
}
