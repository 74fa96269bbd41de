using System.Text;
using EmailMonitor.Configuration;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Configuration;

/// <summary>
/// A secret given as <c>NAME_FILE</c>, the path of a file that holds it (compose secrets, systemd
/// credentials): read once at start, masked like the variable itself, and every way the file can be
/// wrong named without showing what it holds.
/// </summary>
public sealed class SecretFileVariableTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_secret_is_read_from_its_file_without_the_line_break_an_editor_adds()
    {
        var key = new string('k', 40);
        var path = Write("jwt", key + "\n");

        var settings = SettingsLoader.FromVariables(new Dictionary<string, string> { ["JWT_SECRET_KEY_FILE"] = path });

        Assert.Empty(settings.Problems);
        Assert.Equal(key, settings.ConfigurationValues["Auth:JwtSecretKey"]);
        var shown = Assert.Single(settings.Effective, v => v.Name == "JWT_SECRET_KEY");
        Assert.Equal("********", shown.ShownValue);
        Assert.Contains("JWT_SECRET_KEY_FILE", shown.Source);
    }

    [Theory]
    [InlineData("p@ss word\r\n", "p@ss word")]
    [InlineData("\uFEFFsecret\n\n", "secret")]
    [InlineData(" spaces \n", "spaces")]
    public void Line_breaks_a_byte_order_mark_and_the_spaces_trimmed_from_any_variable_are_dropped(string content, string expected)
    {
        var path = Write("password", content);

        var settings = SettingsLoader.FromVariables(new Dictionary<string, string> { ["EMAIL_PASSWORD_FILE"] = path });

        Assert.Empty(settings.Problems);
        Assert.Equal(expected, settings.ConfigurationValues["Mail:Password"]);
    }

    [Fact]
    public void A_file_named_in_the_config_file_is_read_as_one_named_in_the_environment()
    {
        var path = Write("admin", "first-admin-password\n");
        var config = Write(".env", $"ADMIN_PASSWORD_FILE={path}\n");

        var settings = SettingsLoader.Load(new Dictionary<string, string>(), config);

        Assert.Empty(settings.Problems);
        Assert.Empty(settings.Notices);
        Assert.Equal("first-admin-password", settings.ConfigurationValues["Auth:AdminPassword"]);
    }

    [Fact]
    public void Setting_a_secret_and_its_file_together_is_refused_as_ambiguous()
    {
        var path = Write("db", "postgres://u:p@localhost/db");

        var settings = SettingsLoader.FromVariables(new Dictionary<string, string>
        {
            ["DATABASE_URL"] = "postgres://other:p@localhost/db",
            ["DATABASE_URL_FILE"] = path,
        });

        var problem = Assert.Single(settings.Problems);
        Assert.StartsWith("DATABASE_URL: set DATABASE_URL or DATABASE_URL_FILE, not both", problem);
        Assert.Equal(string.Empty, settings.ConfigurationValues["Storage:DatabaseUrl"]);
    }

    [Fact]
    public async Task Every_wrong_file_is_named_with_what_is_wrong_and_never_with_what_it_holds()
    {
        var fifo = await FifoAsync();
        var invalidUtf8 = _directory.Combine("latin1");
        File.WriteAllBytes(invalidUtf8, [.. Encoding.ASCII.GetBytes("hunter2-"), 0xE9, 0xFF]);
        var huge = Write("huge", "hunter2-" + new string('x', SecretFile.MaxBytes));
        var empty = Write("empty", "\n");

        var cases = new Dictionary<string, string>
        {
            [_directory.Combine("missing")] = "does not exist",
            [_directory.Path] = "is a directory, not a file",
            [empty] = "is empty",
            [huge] = "is larger than 64 KiB",
            [invalidUtf8] = "is not UTF-8 text",
            ["/dev/zero"] = "is empty or not a regular file",
            [fifo] = "is empty or not a regular file",
            [Write("nil", string.Empty)] = "is empty or not a regular file",
        };

        foreach (var (path, expected) in cases)
        {
            var settings = SettingsLoader.FromVariables(new Dictionary<string, string> { ["REDIS_URL_FILE"] = path });

            var problem = Assert.Single(settings.Problems);
            Assert.Equal($"REDIS_URL_FILE: '{path}' {expected}", problem);
            Assert.DoesNotContain("hunter2", problem);
            Assert.Equal(string.Empty, settings.ConfigurationValues["Cluster:RedisUrl"]);
        }
    }

    [Fact]
    public void Only_secrets_have_a_file_form()
    {
        var path = Write("user", "someone");
        var config = Write(".env", $"EMAIL_USERNAME_FILE={path}\n");

        var fromEnvironment = SettingsLoader.FromVariables(new Dictionary<string, string> { ["EMAIL_USERNAME_FILE"] = path });
        var fromConfig = SettingsLoader.Load(new Dictionary<string, string>(), config);

        Assert.False(fromEnvironment.ConfigurationValues.ContainsKey("Mail:Username"));
        Assert.False(fromConfig.ConfigurationValues.ContainsKey("Mail:Username"));
        Assert.Contains(fromConfig.Notices, n => n.Contains("EMAIL_USERNAME_FILE is not a known variable", StringComparison.Ordinal));
    }

    // Opening a pipe for reading waits for a writer: read, it would hold start-up for ever.
    private async Task<string> FifoAsync()
    {
        var path = _directory.Combine("pipe");
        var (exitCode, output) = await Exec.RunAsync("mkfifo", [path]);
        Assert.True(exitCode == 0, output);
        return path;
    }

    private string Write(string name, string content)
    {
        var path = _directory.Combine(name);
        File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }
}
