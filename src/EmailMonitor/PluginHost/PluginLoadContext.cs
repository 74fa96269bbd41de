using System.Reflection;
using System.Runtime.Loader;

namespace EmailMonitor.PluginHost;

/// <summary>
/// One plugin's own load context: its dependencies come from its directory (by its .deps.json),
/// so two plugins may use different versions of a library, and neither can replace one of the
/// service's. The contract assembly alone is shared, or the service would not recognise the
/// plugin's types as its interfaces.
/// </summary>
internal sealed class PluginLoadContext(string mainAssemblyPath) : AssemblyLoadContext(Path.GetFileNameWithoutExtension(mainAssemblyPath))
{
    private static readonly string Contract = typeof(Plugins.IEmailPlugin).Assembly.GetName().Name!;

    private readonly AssemblyDependencyResolver _resolver = new(mainAssemblyPath);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (string.Equals(assemblyName.Name, Contract, StringComparison.Ordinal))
        {
            return null;
        }

        return _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
}
