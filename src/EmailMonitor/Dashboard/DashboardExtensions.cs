namespace EmailMonitor.Dashboard;

internal static class DashboardExtensions
{
    // Scripts only from this origin, nothing inline; inline styles are allowed for the sanitized email
    // HTML, which is shown in a sandboxed frame that inherits this policy.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    // Every file of the page, each at the root under its own name.
    private static readonly (string Name, string ContentType)[] Files =
    [
        ("dashboard.js", "text/javascript; charset=utf-8"),
        ("triage.js", "text/javascript; charset=utf-8"),
        ("status.js", "text/javascript; charset=utf-8"),
        ("admin.js", "text/javascript; charset=utf-8"),
        ("automation.js", "text/javascript; charset=utf-8"),
        ("dashboard.css", "text/css; charset=utf-8"),
    ];

    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.MapGet("/", (HttpContext context) => Serve(context, "index.html", "text/html; charset=utf-8")).ExcludeFromDescription();
        foreach (var (name, contentType) in Files)
        {
            app.MapGet($"/{name}", (HttpContext context) => Serve(context, name, contentType)).ExcludeFromDescription();
        }

        return app;
    }

    private static IResult Serve(HttpContext context, string name, string contentType)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        var resource = typeof(DashboardExtensions).Assembly.GetManifestResourceStream($"Dashboard.{name}")!;
        return Results.Stream(resource, contentType);
    }
}
