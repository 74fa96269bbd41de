using EmailMonitor.PluginHost;
using EmailMonitor.Storage;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Tests.PluginHost;

/// <summary>What an operator may put in PLUGIN_DIR, good and bad: each bad one named in the log and left out, the good ones loaded.</summary>
public sealed class PluginCatalogTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly FakeLogger<PluginCatalog> _log = new();

    [Fact]
    public void Good_plugins_load_and_broken_ones_are_named_and_left_out()
    {
        var root = Directory.CreateDirectory(_directory.Combine("plugins")).FullName;
        PluginBuilds.Install(root, PluginBuilds.Sample, PluginBuilds.Misbehaving);
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        Directory.CreateDirectory(Path.Combine(root, "garbage"));
        File.WriteAllBytes(Path.Combine(root, "garbage", "garbage.dll"), "MZ this is not an assembly"u8.ToArray());
        Directory.CreateDirectory(Path.Combine(root, "exposed"));
        File.Copy(Path.Combine(root, PluginBuilds.Sample, PluginBuilds.Sample + ".dll"), Path.Combine(root, "exposed", "exposed.dll"));
        File.SetUnixFileMode(Path.Combine(root, "exposed"), File.GetUnixFileMode(Path.Combine(root, "exposed")) | UnixFileMode.OtherWrite);

        var catalog = Catalog(root);
        catalog.Load();

        Assert.Equal(
            ["EmailMonitor.SamplePlugin/pressure-language", "EmailMonitor.TestPlugins/hanging", "EmailMonitor.TestPlugins/throwing", "EmailMonitor.TestPlugins/unknown-verdicts"],
            catalog.Judges.Select(j => j.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["EmailMonitor.SamplePlugin/event-journal"], catalog.Handlers.Select(h => h.Name));
        var refused = _log.Collector.GetSnapshot().Where(r => r.Id.Id == 13002).Select(r => r.Message).ToList();
        Assert.Equal(3, refused.Count);
        Assert.Contains(refused, m => m.Contains("empty/empty.dll is missing", StringComparison.Ordinal));
        Assert.Contains(refused, m => m.Contains("garbage", StringComparison.Ordinal) && m.Contains("BadImageFormatException", StringComparison.Ordinal));
        Assert.Contains(refused, m => m.Contains("may be written by users other than its owner", StringComparison.Ordinal));
        // The sample's journal got a data directory of its own.
        Assert.True(Directory.Exists(_directory.Combine("data", "plugins", PluginBuilds.Sample)));
    }

    [Fact]
    public void No_plugin_directory_means_no_plugins()
    {
        var catalog = Catalog(string.Empty);
        catalog.Load();

        Assert.Empty(catalog.Judges);
        Assert.Empty(catalog.Handlers);
        Assert.Empty(_log.Collector.GetSnapshot());
    }

    [Theory]
    [InlineData("/nonexistent/plugins", 1000, "PLUGIN_DIR: '/nonexistent/plugins' is not a directory")]
    [InlineData("", 5, "PLUGIN_TIMEOUT_MS: must be between 10 and 60000")]
    public void Bad_settings_are_named(string directory, int timeout, string expected)
    {
        var result = new PluginOptionsValidator().Validate(null, new PluginOptions { Directory = directory, TimeoutMilliseconds = timeout });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    private PluginCatalog Catalog(string root) => new(
        Options.Create(new PluginOptions { Directory = root }),
        Options.Create(new StorageOptions { DataDirectory = _directory.Combine("data") }),
        _log);

    public void Dispose() => _directory.Dispose();
}
