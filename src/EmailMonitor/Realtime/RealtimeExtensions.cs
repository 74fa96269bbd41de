using EmailMonitor.Configuration;
using EmailMonitor.Security;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EmailMonitor.Realtime;

internal static class RealtimeExtensions
{
    public static IHostApplicationBuilder AddRealtime(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<RealtimeOptions, RealtimeOptionsValidator>(RealtimeOptions.Section);
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.TryAddSingleton<IConnectionsElsewhere, NoConnectionsElsewhere>();
        builder.Services.AddHostedService<FanOutService>();
        return builder;
    }

    /// <summary>WebSocket upgrades on <c>/</c> and <c>/ws</c>; other requests go on to the endpoints (the dashboard on <c>/</c>).</summary>
    public static WebApplication UseRealtime(this WebApplication app)
    {
        // Before the WebSocket middleware, which takes the upgrade feature as it finds it.
        app.Use((context, next) =>
        {
            if (WebSocketEndpoint.IsEndpointPath(context.Request.Path) && context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
            {
                context.Features.Set<IHttpUpgradeFeature>(new CoalescingUpgradeFeature(upgrade));
            }

            return next(context);
        });
        app.UseWebSockets();
        app.Use(async (context, next) =>
        {
            if (WebSocketEndpoint.Handles(context))
            {
                await WebSocketEndpoint.AcceptAsync(context);
                return;
            }

            await next(context);
        });

        var registry = app.Services.GetRequiredService<ConnectionRegistry>();
        app.Lifetime.ApplicationStopping.Register(registry.Shutdown);
        // Resolved once started: building it any earlier would read options before they are validated.
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            app.Services.GetRequiredService<BlockList>().Blocked += registry.CloseFrom;
            app.Services.GetRequiredService<Auth.UserAdministration>().LoginsRevoked += registry.CloseUser;
            app.Services.GetRequiredService<Auth.UserAdministration>().RoleChanged += username => registry.CloseUser(username, "role changed");
            app.Services.GetRequiredService<Auth.AuthService>().LoginEnded += registry.CloseLogin;
        });
        return app;
    }
}
