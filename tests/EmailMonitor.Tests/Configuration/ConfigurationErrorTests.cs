using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Configuration;

/// <summary>Each missing or malformed variable stops start-up with exit 2 and a line naming it.</summary>
public sealed class ConfigurationErrorTests
{
    public static TheoryData<string, string?, string> Cases => new()
    {
        { "EMAIL_SERVER", null, "EMAIL_SERVER: required" },
        { "EMAIL_USERNAME", null, "EMAIL_USERNAME: required" },
        { "EMAIL_PASSWORD", null, "EMAIL_PASSWORD: required" },
        { "EMAIL_PORT", "imap", "EMAIL_PORT: 'imap' is not a whole number" },
        { "EMAIL_PORT", "70000", "EMAIL_PORT: must be between 1 and 65535" },
        { "EMAIL_SECURITY", "tls", "EMAIL_SECURITY: 'tls' is not one of ssl, starttls, none" },
        { "EMAIL_PROTOCOL", "smtp", "EMAIL_PROTOCOL: 'smtp' is not one of imap, pop3" },
        { "EMAIL_CHECK_INTERVAL", "-5", "EMAIL_CHECK_INTERVAL: '-5' is not a whole number of seconds" },
        { "EMAIL_CHECK_INTERVAL", "1", "EMAIL_CHECK_INTERVAL: must be between 5 and 3600 seconds" },
        { "EMAIL_FOLDER", "INBOX,INBOX", "EMAIL_FOLDER: a folder is listed twice" },
        { "DEBUG", "maybe", "DEBUG: 'maybe' is not true or false" },
        { "LOG_LEVEL", "VERBOSE", "LOG_LEVEL: 'VERBOSE' is not one of DEBUG, INFO, WARNING, ERROR" },
        { "ENVIRONMENT", "prod", "ENVIRONMENT: 'prod' is not one of development, staging, production" },
        { "JWT_SECRET_KEY", "too-short", "JWT_SECRET_KEY: must be at least 32 bytes long" },
        { "JWT_EXPIRATION_MINUTES", "0", "JWT_EXPIRATION_MINUTES: must be between 1 and 1440" },
        { "JWT_REFRESH_EXPIRATION_DAYS", "soon", "JWT_REFRESH_EXPIRATION_DAYS: 'soon' is not a whole number of days" },
        { "MAX_LOGIN_ATTEMPTS", "0", "MAX_LOGIN_ATTEMPTS: must be between 1 and 1000" },
        { "LOCKOUT_DURATION", "0", "LOCKOUT_DURATION: must be between 1 second and 30 days" },
        { "WEBSOCKET_PORT", "http", "WEBSOCKET_PORT: 'http' is not a whole number" },
        { "WEBSOCKET_HOST", "example.com", "WEBSOCKET_HOST: must be an IP address" },
        { "MAX_CONNECTIONS", "0", "MAX_CONNECTIONS: must be between 1 and 100000" },
        { "ADMIN_USERNAME", "bad name!", "ADMIN_USERNAME: 1 to 64 letters" },
        { "DATABASE_URL", "mysql://u:p@localhost/db", "DATABASE_URL: expected postgres://user:password@host:port/database" },
        { "DATABASE_URL", "postgres://u:p@localhost", "DATABASE_URL: name one database after the host" },
        { "DATABASE_URL", "postgres://localhost/db", "DATABASE_URL: the user name is missing" },
        { "DATABASE_URL", "postgres://u:p@localhost/db?sslmode=sometimes", "DATABASE_URL: sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full" },
        { "DATABASE_URL", "postgres://u:p@localhost/db?connect_timeout=0", "DATABASE_URL: connect_timeout must be a number of seconds from 1 to 600" },
        { "DATABASE_URL", "postgres://u:p@localhost/db?options=-c%20x%3Dy", "DATABASE_URL: unknown parameter 'options'" },
        { "REDIS_URL", "http://u:p@localhost:6379", "REDIS_URL: expected redis://[:password@]host[:port][/database]" },
        { "REDIS_URL", "redis://localhost:6379/cache", "REDIS_URL: the path must be a database number" },
        { "REDIS_URL", "redis://localhost:6379?ssl=true", "REDIS_URL: takes no parameters after '?'" },
        { "INSTANCE_ID", "node 1", "INSTANCE_ID: 1 to 64 letters, digits" },
        { "OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318", "OTEL_EXPORTER_OTLP_ENDPOINT: expected the collector's address, http(s)://host:port" },
        { "OTEL_EXPORTER_OTLP_PROTOCOL", "thrift", "OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' is not one of http/protobuf, grpc" },
        { "OTEL_EXPORTER_OTLP_HEADERS", "api-key", "OTEL_EXPORTER_OTLP_HEADERS: expected key=value pairs separated by commas" },
        { "ALERT_SMTP_PASSWORD_FILE", "/nonexistent/smtp", "ALERT_SMTP_PASSWORD_FILE: '/nonexistent/smtp' does not exist" },
        { "JWT_SECRET_KEY_FILE", "/nonexistent/jwt", "JWT_SECRET_KEY: set JWT_SECRET_KEY or JWT_SECRET_KEY_FILE, not both" },
        { "RETENTION_DAYS", "40000", "RETENTION_DAYS: must be between 0 (keep events forever) and 36500" },
        { "RETENTION_MAX_EVENTS", "-1", "RETENTION_MAX_EVENTS: must be between 0 (no limit)" },
        { "JWT_KEY_ROTATION_DAYS", "5000", "JWT_KEY_ROTATION_DAYS: must be between 0" },
        { "MAX_ATTACHMENT_SIZE", "0", "MAX_ATTACHMENT_SIZE: must be a positive number of bytes" },
        { "SSL_KEY_FILE", "/etc/hostname", "SSL_CERT_FILE: required with SSL_KEY_FILE" },
        { "RATE_LIMIT_REQUESTS", "0", "RATE_LIMIT_REQUESTS: must be between 1 and 1000000" },
        { "RATE_LIMIT_WINDOW", "soon", "RATE_LIMIT_WINDOW: 'soon' is not a whole number of seconds" },
        { "BLOCKED_IPS", "10.0.0.0/8, 300.1.1.1", "BLOCKED_IPS: '300.1.1.1' is not an IP address or a CIDR network" },
        { "ALLOWED_IPS", "10.0.0.0/33", "ALLOWED_IPS: '10.0.0.0/33' is not an IP address or a CIDR network" },
        { "TRUSTED_PROXIES", "proxy.example.com", "TRUSTED_PROXIES: 'proxy.example.com' is not an IP address or a CIDR network" },
        { "TRUSTED_PROXY_HOPS", "0", "TRUSTED_PROXY_HOPS: must be between 1 and 10" },
        { "TRUSTED_PROXY_HOPS", "two", "TRUSTED_PROXY_HOPS: 'two' is not a whole number" },
        { "ALLOWED_ORIGINS", "https://app.example/path", "ALLOWED_ORIGINS: 'https://app.example/path' is not an origin" },
        { "AUTO_BLOCK_THRESHOLD", "0", "AUTO_BLOCK_THRESHOLD: must be between 1 and 1000000" },
        { "MAX_ATTACHMENT_SIZE", "25MB", "MAX_ATTACHMENT_SIZE: '25MB' is not a whole number" },
        { "BLOCKED_ATTACHMENT_EXTENSIONS", "exe, bad ext!", "BLOCKED_ATTACHMENT_EXTENSIONS: 'bad ext!' is not an extension" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_missing_or_malformed_variable_exits_2_naming_it(string name, string? value, string expected)
    {
        using var directory = new TempDirectory();
        var variables = ServiceHost.DefaultVariables(directory.Path, null);
        if (value is null)
        {
            variables.Remove(name);
        }
        else
        {
            variables[name] = value;
        }

        var (exitCode, output) = await ServiceProcess.RunAsync(variables, directory.Path);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, output);
        Assert.DoesNotContain("Now listening", output);
        Assert.False(File.Exists(Path.Combine(variables["DATA_DIR"], "email-monitor.db")), "nothing started");
    }

    [Fact]
    public async Task Every_problem_is_reported_at_once_one_line_each()
    {
        using var directory = new TempDirectory();
        var variables = new Dictionary<string, string> { ["EMAIL_PORT"] = "x", ["DEBUG"] = "perhaps", ["DATA_DIR"] = directory.Combine("data") };

        var (exitCode, output) = await ServiceProcess.RunAsync(variables, directory.Path);

        Assert.Equal(2, exitCode);
        var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var name in new[] { "EMAIL_PORT:", "DEBUG:", "EMAIL_SERVER:", "EMAIL_USERNAME:", "EMAIL_PASSWORD:" })
        {
            Assert.Single(lines, line => line.StartsWith(name, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Production_requires_a_jwt_secret_and_on_first_start_an_admin_password()
    {
        using var directory = new TempDirectory();
        var variables = ServiceHost.DefaultVariables(directory.Path, null);
        variables["ENVIRONMENT"] = "production";
        variables.Remove("JWT_SECRET_KEY");

        var (exitCode, output) = await ServiceProcess.RunAsync(variables, directory.Path);
        Assert.Equal(2, exitCode);
        Assert.Contains("JWT_SECRET_KEY: required when ENVIRONMENT=production", output);

        variables["JWT_SECRET_KEY"] = new string('s', 48);
        variables.Remove("ADMIN_PASSWORD");
        (exitCode, output) = await ServiceProcess.RunAsync(variables, directory.Path);
        Assert.Equal(2, exitCode);
        Assert.Contains("ADMIN_PASSWORD: required on first start when ENVIRONMENT=production", output);
    }

    [Fact]
    public async Task A_certificate_and_key_that_cannot_be_loaded_stop_start_up()
    {
        using var directory = new TempDirectory();
        var variables = ServiceHost.DefaultVariables(directory.Path, null);
        await File.WriteAllTextAsync(directory.Combine("cert.pem"), "not a certificate", TestContext.Current.CancellationToken);
        variables["SSL_CERT_FILE"] = directory.Combine("cert.pem");
        variables["SSL_KEY_FILE"] = directory.Combine("missing.key");

        var (exitCode, output) = await ServiceProcess.RunAsync(variables, directory.Path);

        Assert.Equal(2, exitCode);
        Assert.Contains("SSL_CERT_FILE/SSL_KEY_FILE: cannot load the certificate and key", output);
    }

    [Fact]
    public async Task Ssl_cert_file_alone_is_taken_for_the_openssl_ca_bundle_and_tls_stays_off()
    {
        using var directory = new TempDirectory();
        var variables = ServiceHost.DefaultVariables(directory.Path, null);
        variables["SSL_CERT_FILE"] = "/etc/ssl/certs/ca-certificates.crt";
        await using var service = ServiceProcess.Start(variables, directory.Path);

        var uri = await service.ListeningAsync();

        Assert.Equal("http", uri.Scheme);
        Assert.Contains("SSL_CERT_FILE is set without SSL_KEY_FILE, so TLS stays off", service.Output);
    }

    [Fact]
    public async Task Security_none_to_a_remote_host_is_refused_unless_explicitly_allowed()
    {
        using var directory = new TempDirectory();
        var variables = ServiceHost.DefaultVariables(directory.Path, null);
        variables["EMAIL_SERVER"] = "imap.example.com";

        var (exitCode, output) = await ServiceProcess.RunAsync(variables, directory.Path);

        Assert.Equal(2, exitCode);
        Assert.Contains("EMAIL_SECURITY: none would send the password in clear text", output);
    }
}
