using EmailMonitor.Alerts;
using EmailMonitor.Analysis;
using EmailMonitor.Api;
using EmailMonitor.Auth;
using EmailMonitor.Cluster;
using EmailMonitor.Configuration;
using EmailMonitor.Dashboard;
using EmailMonitor.Mail;
using EmailMonitor.Mailboxes;
using EmailMonitor.Memory;
using EmailMonitor.Observability;
using EmailMonitor.PluginHost;
using EmailMonitor.Realtime;
using EmailMonitor.Rules;
using EmailMonitor.Security;
using EmailMonitor.Storage;
using EmailMonitor.Webhooks;
using Microsoft.Extensions.Options;

namespace EmailMonitor;

/// <summary>
/// Composes the service from its features. Program and the tests both build it here, so the
/// service under test is the service that ships.
/// </summary>
internal static class ServiceApp
{
    public static WebApplication Build(LoadedSettings settings, bool debug, Action<WebApplicationBuilder>? customize = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = settings.EnvironmentName });
        builder.AddServiceConfiguration(settings);
        builder.AddObservability(debug);
        builder.AddSecurity();
        // Hosted services stop in reverse order: mail first, fan-out last.
        builder.AddRealtime();
        builder.AddStorage();
        builder.AddWebhooks();
        builder.AddAlerts();
        builder.AddAuth();
        builder.AddAnalysis();
        builder.AddRules();
        builder.AddPluginHost();
        builder.AddMail();
        builder.AddMailboxes();
        builder.AddCluster();
        builder.AddApi();
        builder.Services.AddHostedService<NativeHeapTrimmer>();
        customize?.Invoke(builder);

        var app = builder.Build();
        app.UseSecurity();
        app.UseRealtime();
        app.MapApi();
        app.MapObservability();
        app.MapDashboard();
        return app;
    }

    /// <summary>Brings the database up to date and creates the first administrator; returns a configuration problem, if any.</summary>
    public static async Task<string?> PrepareAsync(WebApplication app, TextWriter console, CancellationToken cancellationToken)
    {
        app.Logger.Starting(Cli.CommandLine.Build);
        var database = app.Services.GetRequiredService<Database>();
        var patience = app.Services.GetRequiredService<IOptions<StorageOptions>>().Value.StartupPatience;
        var (version, problem) = await DatabaseStartup.MigrateAsync(database, patience, app.Services.GetRequiredService<TimeProvider>(), app.Logger, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        app.Logger.DatabaseReady(database.Sql.Engine, database.Description, version);
        _ = app.Services.GetRequiredService<SigningKey>().Key;
        await app.Services.GetRequiredService<SigningKeyRing>().LoadAsync(cancellationToken);
        await app.Services.GetRequiredService<BlockList>().LoadAsync(cancellationToken);
        await app.Services.GetRequiredService<MailboxAccess>().LoadAsync(cancellationToken);
        await app.Services.GetRequiredService<RuleBook>().LoadAsync(cancellationToken);
        app.Services.GetRequiredService<PluginCatalog>().Load();
        return await app.Services.GetRequiredService<AdminBootstrap>().EnsureAdminAsync(console, cancellationToken);
    }
}
