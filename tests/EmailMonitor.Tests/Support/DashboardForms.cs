using System.Text.Json;

namespace EmailMonitor.Tests.Support;

/// <summary>Fills and submits the dashboard's forms in a real browser, as a person would.</summary>
internal static class DashboardForms
{
    public static Task<JsonElement> SubmitAsync(ChromiumPage page, string formId, Dictionary<string, string> fields) =>
        page.EvaluateAsync($$"""
            (() => {
              const form = document.getElementById({{JsonSerializer.Serialize(formId)}});
              const fields = {{JsonSerializer.Serialize(fields)}};
              for (const [name, value] of Object.entries(fields)) form.elements.namedItem(name).value = value;
              form.requestSubmit();
            })()
            """);

    public static Task<JsonElement> SignInAsync(ChromiumPage page, string username, string password) =>
        SubmitAsync(page, "login", new() { ["username"] = username, ["password"] = password });
}
