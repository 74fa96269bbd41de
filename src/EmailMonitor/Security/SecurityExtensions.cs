using System.Threading.Channels;
using EmailMonitor.Configuration;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Security;

internal static class SecurityExtensions
{
    public static IHostApplicationBuilder AddSecurity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<SecurityOptions, SecurityOptionsValidator>(SecurityOptions.Section);
        builder.Services.AddSingleton<NetworkRules>();
        builder.Services.AddSingleton<BlockList>();
        builder.Services.AddSingleton<AutoBlocker>();
        builder.Services.AddSingleton<RateLimits>();
        builder.Services.TryAddSingleton<ISharedBudget, LocalBudget>();
        builder.Services.AddSingleton<SecurityLog>();
        // Blocks are rare; a full queue (TryWrite false) costs only a block's survival of a restart.
        builder.Services.AddBoundedChannel<BlockChange>(capacity: 4096, BoundedChannelFullMode.Wait);
        builder.Services.AddHostedService<BlockListWriter>();

        // X-Forwarded-For and -Proto are believed only from TRUSTED_PROXIES; the framework's
        // default of trusting loopback is removed, so a local client cannot claim another address.
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<NetworkRules, IOptions<SecurityOptions>>((forwarded, rules, security) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005 // The obsolete list is still consulted and holds the loopback default.
            forwarded.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
            forwarded.KnownProxies.Clear();
            forwarded.ForwardLimit = security.Value.TrustedProxyHops;
            foreach (var network in rules.TrustedProxies)
            {
                forwarded.KnownIPNetworks.Add(network);
            }
        });
        // Production browsers are told to use HTTPS from now on (only HTTPS responses carry it).
        builder.Services.AddHsts(hsts =>
        {
            hsts.MaxAge = TimeSpan.FromDays(180);
            hsts.ExcludedHosts.Clear();
        });
        return builder;
    }

    public static WebApplication UseSecurity(this WebApplication app)
    {
        if (app.Environment.IsProduction())
        {
            app.UseHsts();
        }

        // With no proxy configured the framework would believe any X-Forwarded-For, so it runs only with some.
        app.UseWhen(
            context => context.RequestServices.GetRequiredService<NetworkRules>().TrustedProxies.Count > 0,
            branch => branch.UseForwardedHeaders());
        app.UseMiddleware<PerimeterMiddleware>();
        // Resolved once started: building them any earlier would read options before they are validated.
        app.Lifetime.ApplicationStarted.Register(() =>
            app.Services.GetRequiredService<BlockList>().ChangedHere += app.Services.GetRequiredService<AutoBlocker>().Forget);
        return app;
    }
}
