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

            if ((WritableByOthers(root) ?? WritableByOthers(directory) ?? WritableByOthers(main)) is { } exposed)
            {
                logger.PluginNotLoaded(name, $"{exposed} may be written by any user, who could then run code as this service (chmod o-w)");
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
            catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or FileNotFoundException
                or ReflectionTypeLoadException or TargetInvocationException or MissingMethodException or TypeLoadException or InvalidOperationException)
            {
                logger.PluginNotLoaded(name, $"{(ex as TargetInvocationException)?.InnerException?.GetType().Name ?? ex.GetType().Name}: {(ex as TargetInvocationException)?.InnerException?.Message ?? ex.Message}");
            }
        }

        Judges = judges;
        Handlers = handlers;
    }

    private List<IEmailPlugin> Instantiate(string name, string directory, Assembly assembly)
    {
        var plugins = new List<IEmailPlugin>();
        foreach (var type in assembly.GetExportedTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IEmailPlugin).IsAssignableFrom(t)))
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

    private static string? WritableByOthers(string path) =>
        OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & UnixFileMode.OtherWrite) == 0 ? null : path;
}
