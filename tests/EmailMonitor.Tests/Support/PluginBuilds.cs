namespace EmailMonitor.Tests.Support;

/// <summary>The plugins the build made (the sample and the misbehaving ones), installed into a PLUGIN_DIR as an operator would.</summary>
internal static class PluginBuilds
{
    public const string Sample = "EmailMonitor.SamplePlugin";
    public const string Misbehaving = "EmailMonitor.TestPlugins";

    // bin/<configuration>/<framework>/ of this test assembly names the build the plugins share.
    private static readonly string Configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
    private static readonly string Framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;

    /// <summary>Copies the named plugins' build output into <paramref name="pluginDirectory"/>/&lt;name&gt;/.</summary>
    public static void Install(string pluginDirectory, params string[] names)
    {
        foreach (var name in names)
        {
            var project = name == Sample ? Path.Combine(RepositoryPaths.Root, "samples", name) : Path.Combine(RepositoryPaths.Root, "tests", name);
            var output = Path.Combine(project, "bin", Configuration, Framework);
            var target = Directory.CreateDirectory(Path.Combine(pluginDirectory, name)).FullName;
            foreach (var file in Directory.GetFiles(output))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
            }
        }
    }
}
