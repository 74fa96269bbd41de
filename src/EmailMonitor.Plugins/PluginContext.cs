namespace EmailMonitor.Plugins;

/// <summary>What the service gives a plugin when it makes it.</summary>
/// <param name="Name">The plugin's directory name under <c>PLUGIN_DIR</c>.</param>
/// <param name="PluginDirectory">Where the plugin's files are (its own settings file can live there).</param>
/// <param name="DataDirectory">A directory of its own (<c>DATA_DIR/plugins/&lt;name&gt;</c>), created for it, where it may keep state.</param>
public sealed record PluginContext(string Name, string PluginDirectory, string DataDirectory);
