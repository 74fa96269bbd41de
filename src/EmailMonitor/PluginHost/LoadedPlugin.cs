using EmailMonitor.Plugins;

namespace EmailMonitor.PluginHost;

/// <summary>
/// One plugin object and the call it may still be in. A call that outlives its time bound cannot be
/// stopped (.NET has no safe way to abort a thread), so it is left to finish while the plugin is
/// passed over: a hung plugin holds one thread, never one per email.
/// </summary>
internal sealed class LoadedPlugin<T>(string name, T plugin)
    where T : IEmailPlugin
{
    /// <summary>The directory name and, when it has several, the plugin's own name.</summary>
    public string Name { get; } = name;

    public T Plugin { get; } = plugin;

    public Task? Running { get; set; }

    public bool Busy => Running is { IsCompleted: false };

    /// <summary>Whether it was already said that this plugin is passed over while busy (said once per hang).</summary>
    public bool SkipReported { get; set; }
}
