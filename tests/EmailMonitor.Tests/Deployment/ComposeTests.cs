using System.Text.Json;
using System.Text.RegularExpressions;
using EmailMonitor.Configuration;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Deployment;

/// <summary>
/// docker-compose.yml as compose itself reads it (Debian's docker-compose, <c>config</c>): valid,
/// secrets only as files, and the settings it gives the service accepted by the service's own
/// configuration checks; its nginx proxies as deploy/nginx does. Running the stack needs images
/// no registry here serves; scripts/check-container builds and runs what can be built.
/// </summary>
public sealed class ComposeTests : IDisposable
{
    private readonly TempDirectory _project = new();

    public ComposeTests()
    {
        File.Copy(Path.Combine(RepositoryPaths.Root, "docker-compose.yml"), _project.Combine("docker-compose.yml"));
        Directory.CreateDirectory(_project.Combine("scripts"));
        File.Copy(Path.Combine(RepositoryPaths.Root, "scripts", "compose-secrets"), _project.Combine("scripts", "compose-secrets"));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "deploy", "compose"), "*", SearchOption.AllDirectories))
        {
            var target = _project.Combine(Path.GetRelativePath(RepositoryPaths.Root, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose() => _project.Dispose();

    [Fact]
    public async Task The_compose_file_is_valid_and_gives_the_service_settings_it_accepts_with_secrets_only_as_files()
    {
        await MakeSecretsAsync();
        var (exitCode, output) = await Exec.RunAsync("docker-compose", ["--profile", "demo", "config"], _project.Path);
        Assert.True(exitCode == 0, output);
        using var config = await AsJsonAsync(output);
        var services = config.RootElement.GetProperty("services");
        var monitor = services.GetProperty("email-monitor");

        foreach (var secret in Directory.EnumerateFiles(_project.Combine("secrets")))
        {
            Assert.DoesNotContain(File.ReadAllText(secret).Trim(), output);
        }

        Assert.True(monitor.GetProperty("read_only").GetBoolean());
        // Large emails are spooled to /tmp: with a read-only root it must be a tmpfs of its own.
        Assert.Contains(monitor.GetProperty("tmpfs").EnumerateArray(), t => t.GetString()!.StartsWith("/tmp", StringComparison.Ordinal));
        var granted = monitor.GetProperty("secrets").EnumerateArray().Select(s => s.GetProperty("source").GetString()).ToHashSet();
        var variables = new Dictionary<string, string>();
        foreach (var variable in monitor.GetProperty("environment").EnumerateObject())
        {
            var value = variable.Value.GetString()!;
            if (value.StartsWith("/run/secrets/", StringComparison.Ordinal))
            {
                var name = value["/run/secrets/".Length..];
                Assert.Contains(name, granted);
                value = _project.Combine("secrets", name);
            }

            variables[variable.Name] = value;
        }

        Assert.Equal(
            services.GetProperty("nginx").GetProperty("networks").GetProperty("edge").GetProperty("ipv4_address").GetString(),
            variables["TRUSTED_PROXIES"]);

        // The image sets these two; the rest is what compose passes.
        variables["DATA_DIR"] = _project.Combine("data");
        variables["LOG_DIR"] = _project.Combine("logs");
        var settings = SettingsLoader.FromVariables(variables);
        Assert.Empty(settings.Problems);
        Assert.Equal("production", settings.ConfigurationValues["Service:Environment"]);
        Assert.StartsWith("postgres://email_monitor:", settings.ConfigurationValues["Storage:DatabaseUrl"]);
        await using var app = ServiceApp.Build(settings, debug: false);
        Assert.Empty(app.Services.FindConfigurationProblems());
    }

    [Fact]
    public async Task Compose_secrets_are_made_once_consistent_with_each_other_and_kept_on_a_second_run()
    {
        await MakeSecretsAsync();
        var first = Secrets();
        var (exitCode, output) = await Exec.RunAsync("bash", [_project.Combine("scripts", "compose-secrets")], _project.Path);
        var second = Secrets();

        Assert.True(exitCode == 0, output);
        Assert.Equal(first, second);
        Assert.Contains($":{first["postgres_password"]}@postgres:5432/", first["database_url"]);
        Assert.Contains($":{first["redis_password"]}@redis:6379", first["redis_url"]);
        Assert.Equal(32, Convert.FromBase64String(first["credentials_key"]).Length);
        Assert.True(first["jwt_secret_key"].Length >= 32);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_project.Combine("secrets")));
        Assert.Contains($"requirepass {first["redis_password"]}\n", first["redis.conf"]);
    }

    [Fact]
    public void Compose_nginx_serves_tls_and_proxies_exactly_as_the_shipped_nginx_file_does()
    {
        var shipped = TlsServer(File.ReadAllText(NginxProxy.ShippedConfig));
        var compose = TlsServer(File.ReadAllText(_project.Combine("deploy", "compose", "nginx.conf")));

        Assert.Contains("location / {", shipped);
        Assert.Contains("ssl_protocols TLSv1.2 TLSv1.3;", shipped);
        Assert.Equal(shipped, compose);
    }

    private Dictionary<string, string> Secrets() =>
        Directory.EnumerateFiles(_project.Combine("secrets")).ToDictionary(path => Path.GetFileName(path), File.ReadAllText);

    // The HTTPS server block without what must differ between the two (where it listens, its
    // name, where its certificate is) and without comments.
    private static string TlsServer(string config)
    {
        var block = Regex.Match(config, @"^server \{\n(?:(?!^\}).)*?^    listen [^\n]*443 ssl;.*?^\}\n", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(block.Success, "no server block listening on 443 with TLS");
        return string.Join('\n', block.Value.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#')
                && !line.StartsWith("listen ", StringComparison.Ordinal)
                && !line.StartsWith("server_name ", StringComparison.Ordinal)
                && !line.StartsWith("ssl_certificate", StringComparison.Ordinal)));
    }

    private async Task MakeSecretsAsync()
    {
        var (exitCode, output) = await Exec.RunAsync("bash", [_project.Combine("scripts", "compose-secrets")], _project.Path);
        Assert.True(exitCode == 0, output);
    }

    // compose prints YAML; Python's YAML reader (a dependency of docker-compose) turns it into JSON.
    private async Task<JsonDocument> AsJsonAsync(string yaml)
    {
        var path = _project.Combine("config.yml");
        await File.WriteAllTextAsync(path, yaml, TestContext.Current.CancellationToken);
        var (exitCode, json) = await Exec.RunAsync(
            "python3", ["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", path]);
        Assert.True(exitCode == 0, json);
        return JsonDocument.Parse(json);
    }
}
