using System.Threading.Channels;

namespace EmailMonitor;

internal static class PipelineChannels
{
    /// <summary>
    /// Registers one bounded channel as the link into the feature that reads it, with its reader
    /// and writer ends, so each side depends only on the end it uses.
    /// </summary>
    public static IServiceCollection AddBoundedChannel<T>(this IServiceCollection services, int capacity, BoundedChannelFullMode fullMode)
    {
        services.AddSingleton(_ => Channel.CreateBounded<T>(new BoundedChannelOptions(capacity)
        {
            FullMode = fullMode,
            SingleReader = true,
            SingleWriter = false,
        }));
        services.AddSingleton(sp => sp.GetRequiredService<Channel<T>>().Reader);
        services.AddSingleton(sp => sp.GetRequiredService<Channel<T>>().Writer);
        return services;
    }
}
