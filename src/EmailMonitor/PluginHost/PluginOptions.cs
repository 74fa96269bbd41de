namespace EmailMonitor.PluginHost;

/// <summary>The <c>PLUGIN_*</c> variables.</summary>
internal sealed class PluginOptions
{
    public const string Section = "Plugins";

    /// <summary>PLUGIN_DIR: one directory per plugin, <c>&lt;name&gt;/&lt;name&gt;.dll</c>; empty = no plugins.</summary>
    public string Directory { get; set; } = string.Empty;

    /// <summary>PLUGIN_TIMEOUT_MS: how long one call of a plugin may take before it is skipped.</summary>
    public int TimeoutMilliseconds { get; set; } = 1000;

    public TimeSpan Timeout => TimeSpan.FromMilliseconds(TimeoutMilliseconds);
}
