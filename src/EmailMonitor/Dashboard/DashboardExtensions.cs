namespace EmailMonitor.Dashboard;

internal static class DashboardExtensions
{
    // Scripts only from this origin, nothing inline; inline styles are allowed for the sanitized email
    // HTML, which is shown in a sandboxed frame that inherits this policy.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.MapGet("/", ServePage).ExcludeFromDescription();
        app.MapGet("/dashboard.js", ServeScript).ExcludeFromDescription();
        app.MapGet("/automation.js", ServeAutomation).ExcludeFromDescription();
        app.MapGet("/dashboard.css", ServeStyles).ExcludeFromDescription();
        return app;
    }

    private static IResult ServePage(HttpContext context) => Serve(context, "index.html", "text/html; charset=utf-8");

    private static IResult ServeScript(HttpContext context) => Serve(context, "dashboard.js", "text/javascript; charset=utf-8");

    private static IResult ServeAutomation(HttpContext context) => Serve(context, "automation.js", "text/javascript; charset=utf-8");

    private static IResult ServeStyles(HttpContext context) => Serve(context, "dashboard.css", "text/css; charset=utf-8");

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
