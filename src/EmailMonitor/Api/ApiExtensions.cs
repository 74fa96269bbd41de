using System.Text.Json;

namespace EmailMonitor.Api;

internal static class ApiExtensions
{
    public static IHostApplicationBuilder AddApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        // A body that is not the expected JSON is the client's mistake: answer 400 as problem
        // details in every environment, never the development exception page.
        builder.Services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = false);
        // The same snake_case names as the WebSocket messages (access_token, refresh_token, …).
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddOpenApi(openApi =>
        {
            openApi.AddDocumentTransformer<ApiDocument>();
            openApi.AddOperationTransformer<ApiDocument>();
        });
        return builder;
    }

    public static WebApplication MapApi(this WebApplication app)
    {
        // Error answers without a body (a 400 from binding, a 404) get problem details too.
        app.UseStatusCodePages();
        // API answers hold tokens and mail: no cache may keep them (RFC 6749 §5.1 for tokens),
        // and no browser may guess their type.
        app.Use((context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers.CacheControl = "no-store";
                context.Response.Headers.XContentTypeOptions = "nosniff";
            }

            return next(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapAuthApi();
        app.MapStatsApi();
        app.MapEmailsApi();
        app.MapBlockedIpsApi();
        app.MapSigningKeysApi();
        app.MapUsersApi();
        app.MapMailboxesApi();
        app.MapWebhooksApi();
        app.MapRulesApi();
        app.MapOpenApi();
        return app;
    }
}
