using System.Reflection;

namespace EmailMonitor.Tests.Support;

/// <summary>The plugins the build made (the sample and the misbehaving ones), installed into a PLUGIN_DIR as an operator would.</summary>
internal static class PluginBuilds
{
    public const string Sample = "EmailMonitor.SamplePlugin";
    public const string Misbehaving = "EmailMonitor.TestPlugins";

    /// <summary>Copies the named plugins' build output, subdirectories included, into <paramref name="pluginDirectory"/>/&lt;name&gt;/.</summary>
    public static void Install(string pluginDirectory, params string[] names)
    {
        foreach (var name in names)
        {
            var output = typeof(PluginBuilds).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "PluginBuild:" + name).Value!;
            var target = Directory.CreateDirectory(Path.Combine(pluginDirectory, name)).FullName;
            foreach (var file in Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories))
            {
                var copy = Path.Combine(target, Path.GetRelativePath(output, file));
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(file, copy, overwrite: true);
            }
        }
    }
}
