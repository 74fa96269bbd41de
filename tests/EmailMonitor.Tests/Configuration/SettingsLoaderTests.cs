using EmailMonitor.Configuration;

namespace EmailMonitor.Tests.Configuration;

public sealed class SettingsLoaderTests
{
    [Fact]
    public void Seconds_minutes_and_days_become_time_spans_not_numbers()
    {
        var settings = SettingsLoader.FromVariables(new Dictionary<string, string>
        {
            ["EMAIL_CHECK_INTERVAL"] = "45",
            ["JWT_EXPIRATION_MINUTES"] = "20",
            ["JWT_REFRESH_EXPIRATION_DAYS"] = "3",
        });

        Assert.Equal("00:00:45", settings.ConfigurationValues["Mail:CheckInterval"]);
        Assert.Equal("00:20:00", settings.ConfigurationValues["Auth:AccessTokenLifetime"]);
        Assert.Equal("3.00:00:00", settings.ConfigurationValues["Auth:RefreshTokenLifetime"]);
    }

    [Fact]
    public void Comma_lists_become_trimmed_items_and_defaults_apply_to_what_is_unset()
    {
        var settings = SettingsLoader.FromVariables(new Dictionary<string, string> { ["EMAIL_FOLDER"] = " INBOX , Alerts,, " });

        Assert.Equal("INBOX", settings.ConfigurationValues["Mail:Folders:0"]);
        Assert.Equal("Alerts", settings.ConfigurationValues["Mail:Folders:1"]);
        Assert.False(settings.ConfigurationValues.ContainsKey("Mail:Folders:2"));
        Assert.Equal("00:00:30", settings.ConfigurationValues["Mail:CheckInterval"]);
        Assert.Equal("ssl", settings.ConfigurationValues["Mail:Security"]);
    }

    [Fact]
    public void Secrets_are_masked_in_the_effective_settings()
    {
        var settings = SettingsLoader.FromVariables(new Dictionary<string, string>
        {
            ["EMAIL_PASSWORD"] = "hunter2-password",
            ["JWT_SECRET_KEY"] = new string('j', 40),
        });

        var shown = string.Join('\n', settings.Effective.Select(v => $"{v.Name}={v.ShownValue}"));
        Assert.Contains("EMAIL_PASSWORD=********", shown);
        Assert.Contains("JWT_SECRET_KEY=********", shown);
        Assert.Contains("ADMIN_PASSWORD=(not set)", shown);
        Assert.DoesNotContain("hunter2", shown);
    }

    [Fact]
    public void A_hostile_value_is_echoed_only_as_a_short_printable_prefix()
    {
        var settings = SettingsLoader.FromVariables(new Dictionary<string, string> { ["EMAIL_PORT"] = "\u001b[31m" + new string('9', 500) + "x" });

        var problem = Assert.Single(settings.Problems);
        Assert.StartsWith("EMAIL_PORT: '?[31m", problem);
        Assert.True(problem.Length < 100, problem);
    }

    [Fact]
    public void Every_contract_variable_is_listed_in_env_example()
    {
        var example = File.ReadAllText(Path.Combine(Support.RepositoryPaths.Root, ".env.example"));

        foreach (var variable in ContractVariables.All)
        {
            Assert.Contains($"{variable.Name}=", example);
        }
    }
}
