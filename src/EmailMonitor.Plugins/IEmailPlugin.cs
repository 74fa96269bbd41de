namespace EmailMonitor.Plugins;

/// <summary>
/// What every plugin is. A plugin assembly lives in <c>PLUGIN_DIR/&lt;name&gt;/&lt;name&gt;.dll</c>
/// (with its own dependencies beside it); each public, non-abstract class implementing
/// <see cref="IEmailJudge"/> or <see cref="IStoredEventHandler"/> is made once, with a constructor
/// taking a <see cref="PluginContext"/> or none, and used for the life of the service.
/// </summary>
public interface IEmailPlugin
{
    /// <summary>
    /// The plugin's own name: logs and metrics call it by its directory name, and by
    /// <c>directory/Name</c> when one assembly holds several plugin classes.
    /// </summary>
    string Name { get; }
}
