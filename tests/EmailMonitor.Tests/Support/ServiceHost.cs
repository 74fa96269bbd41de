using System.Security.Cryptography;
using EmailMonitor.Configuration;
using EmailMonitor.Mail;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace EmailMonitor.Tests.Support;

/// <summary>
/// The real service, built by <see cref="ServiceApp"/> as Program builds it, listening on a free
/// loopback port with its own data and log directories.
/// </summary>
internal sealed class ServiceHost : IAsyncDisposable
{
    public const string AdminUsername = "admin";

    private readonly TempDirectory? _ownDirectory;

    private ServiceHost(WebApplication app, string directory, TempDirectory? ownDirectory, IReadOnlyDictionary<string, string> variables)
    {
        App = app;
        Directory = directory;
        _ownDirectory = ownDirectory;
        Variables = variables;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address);
        WebSocketUri = new UriBuilder(BaseUri) { Scheme = BaseUri.Scheme == "https" ? "wss" : "ws", Path = "/ws" }.Uri;
    }

    public WebApplication App { get; }

    public string Directory { get; }

    public IReadOnlyDictionary<string, string> Variables { get; }

    public Uri BaseUri { get; }

    public Uri WebSocketUri { get; }

    public string AdminPassword => Variables["ADMIN_PASSWORD"];

    public string LogDirectory => Path.Combine(Directory, "logs");

    public T Get<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>The contract variables a test service starts with: development, loopback, its own directory.</summary>
    /// <summary>Runs the service on <paramref name="time"/> (a FakeTimeProvider the test advances).</summary>
    public static Action<WebApplicationBuilder> UseClock(TimeProvider time) =>
        builder => builder.Services.Replace(ServiceDescriptor.Singleton(time));

    public static Dictionary<string, string> DefaultVariables(string directory, DovecotServer? dovecot)
    {
        var variables = SqliteVariables(directory, dovecot);
        if (PostgresServer.EveryService)
        {
            variables["DATABASE_URL"] = PostgresServer.Shared.CreateDatabase();
        }

        return variables;
    }

    private static Dictionary<string, string> SqliteVariables(string directory, DovecotServer? dovecot) => new()
    {
        ["ENVIRONMENT"] = "development",
        ["DATA_DIR"] = Path.Combine(directory, "data"),
        ["LOG_DIR"] = Path.Combine(directory, "logs"),
        ["WEBSOCKET_HOST"] = "127.0.0.1",
        ["WEBSOCKET_PORT"] = "0",
        ["EMAIL_SERVER"] = "127.0.0.1",
        // Without a Dovecot the monitor points at a closed port and keeps retrying quietly.
        ["EMAIL_PORT"] = (dovecot?.ImapPort ?? FreePort.Next()).ToString(),
        ["EMAIL_SECURITY"] = "none",
        ["EMAIL_USERNAME"] = dovecot?.User ?? "nobody",
        ["EMAIL_PASSWORD"] = dovecot?.Password ?? "unused-password",
        ["EMAIL_CHECK_INTERVAL"] = "30",
        ["ADMIN_PASSWORD"] = "admin-" + RandomNumberGenerator.GetHexString(16),
        // Tests poll and send freely; the tests of the limits themselves set their own.
        ["RATE_LIMIT_REQUESTS"] = "1000000",
        ["JWT_SECRET_KEY"] = RandomNumberGenerator.GetHexString(64),
    };

    /// <param name="variables">Changes to <see cref="DefaultVariables"/>.</param>
    /// <param name="directory">Reuse a directory (its database and logs), to restart a service.</param>
    /// <param name="configure">Overrides of internal settings or services, e.g. a fake clock.</param>
    public static async Task<ServiceHost> StartAsync(
        DovecotServer? dovecot = null,
        Action<Dictionary<string, string>>? variables = null,
        string? directory = null,
        Action<WebApplicationBuilder>? configure = null,
        IReadOnlyDictionary<string, string>? reuseVariables = null)
    {
        var own = directory is null ? new TempDirectory() : null;
        directory ??= own!.Path;
        var values = reuseVariables is not null ? new Dictionary<string, string>(reuseVariables) : DefaultVariables(directory, dovecot);
        variables?.Invoke(values);

        var settings = SettingsLoader.FromVariables(values);
        if (settings.Problems.Count > 0)
        {
            throw new InvalidOperationException("Test configuration is invalid: " + string.Join("; ", settings.Problems));
        }

        var name = Path.GetFileName(directory)[^6..];
        var app = ServiceApp.Build(settings, debug: false, builder =>
        {
            builder.Configuration["Observability:Console"] = "false";
            // Metrics listeners subscribe by meter name process-wide; each test service gets its own.
            builder.Configuration["Observability:MeterName"] = "EmailMonitor.Test." + name;
            builder.Configuration["Observability:TraceSourceName"] = "EmailMonitor.Test." + name;
            builder.Logging.AddProvider(new TestLoggerProvider("svc-" + name));
            var output = TestContext.Current.TestOutputHelper;
            builder.Services.Replace(ServiceDescriptor.Singleton(new MailProtocolLogs(folder => TestOutput.ProtocolLog($"[svc-{name} {folder}]", output))));
            configure?.Invoke(builder);
        });

        var problems = app.Services.FindConfigurationProblems();
        if (problems.Count > 0)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException("Test configuration is invalid: " + string.Join("; ", problems));
        }

        var problem = await ServiceApp.PrepareAsync(app, TextWriter.Null, CancellationToken.None);
        if (problem is not null)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException(problem);
        }

        await app.StartAsync();
        return new ServiceHost(app, directory, own, values);
    }

    /// <summary>Starts another service on the same directory and settings, as a restart would.</summary>
    public Task<ServiceHost> StartAgainAsync(Action<WebApplicationBuilder>? configure = null) =>
        StartAsync(directory: Directory, reuseVariables: Variables, configure: configure);

    public async Task StopAsync()
    {
        await App.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await App.StopAsync();
        }
        catch (ObjectDisposedException)
        {
        }

        await App.DisposeAsync();
        try
        {
            LogSecrets.AssertNoneIn(LogDirectory, Variables);
        }
        finally
        {
            _ownDirectory?.Dispose();
        }
    }
}
