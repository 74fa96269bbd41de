using System.Reflection;
using EmailMonitor.Plugins;
using EmailMonitor.Storage;
using Microsoft.Extensions.Options;

namespace EmailMonitor.PluginHost;

/// <summary>
/// The plugins found in <c>PLUGIN_DIR</c> at start-up, each assembly in its own load context. A
/// plugin that cannot be loaded (missing, not .NET, a constructor that throws, files anyone may
/// write) is reported and left out; the service runs without it.
/// </summary>
internal sealed class PluginCatalog(IOptions<PluginOptions> options, IOptions<StorageOptions> storage, ILogger<PluginCatalog> logger)
{
    public IReadOnlyList<LoadedPlugin<IEmailJudge>> Judges { get; private set; } = [];

    public IReadOnlyList<LoadedPlugin<IStoredEventHandler>> Handlers { get; private set; } = [];

    public void Load()
    {
        var root = options.Value.Directory;
        if (root.Length == 0)
        {
            return;
        }

        var judges = new List<LoadedPlugin<IEmailJudge>>();
        var handlers = new List<LoadedPlugin<IStoredEventHandler>>();
        foreach (var directory in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(directory);
            var main = Path.Combine(directory, name + ".dll");
            if (!File.Exists(main))
            {
                logger.PluginNotLoaded(name, $"{name}/{name}.dll is missing");
                continue;
            }

            if (Exposed(root, directory) is { } exposed)
            {
                logger.PluginNotLoaded(name, $"{exposed} may be written by users other than its owner, who could then run code as this service (chmod go-w)");
                continue;
            }

            try
            {
                var found = Instantiate(name, directory, new PluginLoadContext(main).LoadFromAssemblyPath(main));
                if (found.Count == 0)
                {
                    logger.PluginNotLoaded(name, $"no public class implements {nameof(IEmailJudge)} or {nameof(IStoredEventHandler)}");
                    continue;
                }

                foreach (var plugin in found)
                {
                    var label = found.Count == 1 ? name : $"{name}/{plugin.Name}";
                    if (plugin is IEmailJudge judge)
                    {
                        judges.Add(new LoadedPlugin<IEmailJudge>(label, judge));
                    }

                    if (plugin is IStoredEventHandler handler)
                    {
                        handlers.Add(new LoadedPlugin<IStoredEventHandler>(label, handler));
                    }

                    logger.PluginLoaded(label, plugin.GetType().FullName!, plugin is IEmailJudge, plugin is IStoredEventHandler);
                }
            }
            catch (Exception ex)
            {
                // Whatever a plugin does wrong while it is made (a constructor or a Name that throws,
                // a data directory that cannot be made), the service starts without it.
                logger.PluginNotLoaded(name, $"{(ex as TargetInvocationException)?.InnerException?.GetType().Name ?? ex.GetType().Name}: {(ex as TargetInvocationException)?.InnerException?.Message ?? ex.Message}");
            }
        }

        Judges = judges;
        Handlers = handlers;
    }

    private List<IEmailPlugin> Instantiate(string name, string directory, Assembly assembly)
    {
        var plugins = new List<IEmailPlugin>();
        foreach (var type in assembly.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IEmailPlugin).IsAssignableFrom(t))
            .OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            var data = Path.Combine(Path.GetFullPath(storage.Value.DataDirectory), "plugins", name);
            if (type.GetConstructor([typeof(PluginContext)]) is { } withContext)
            {
                Directory.CreateDirectory(data);
                plugins.Add((IEmailPlugin)withContext.Invoke([new PluginContext(name, directory, data)]));
            }
            else if (type.GetConstructor(Type.EmptyTypes) is { } plain)
            {
                plugins.Add((IEmailPlugin)plain.Invoke(null));
            }
            else
            {
                throw new InvalidOperationException($"{type.FullName} has neither a public constructor taking a PluginContext nor one taking nothing");
            }
        }

        return plugins;
    }

    // PLUGIN_DIR, the plugin's directory and everything in it (dependencies, native libraries and
    // .deps.json are loaded too): the first that others than the owner may write, or null.
    private static string? Exposed(string root, string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        const UnixFileMode othersWrite = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
        foreach (var path in new[] { root, directory }.Concat(Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories)))
        {
            if ((File.GetUnixFileMode(path) & othersWrite) != 0)
            {
                return path;
            }
        }

        return null;
    }
}
