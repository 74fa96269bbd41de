using System.Text;
using System.Text.RegularExpressions;
using EmailMonitor.Analysis;
using EmailMonitor.Tests.Analysis;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Tests.Integration;

/// <summary>
/// The sanitized XSS corpus rendered in a real browser (Debian's headless Chromium), directly in
/// the page rather than in a sandbox, with every element's event handlers and every non-web link
/// triggered: no vector may run.
/// </summary>
public sealed partial class XssRenderingTests
{
    // Records each vector that ran, then fires what a reader would: hovering, focusing, clicking.
    private const string Harness = """
        <script>
        window.__xss = function (n) {
          var root = document.documentElement;
          root.setAttribute('data-xss', (root.getAttribute('data-xss') || '') + ' ' + n);
        };
        window.addEventListener('load', function () {
          var events = ['mouseover', 'mouseenter', 'focus', 'click', 'toggle', 'animationstart', 'transitionend', 'input'];
          document.querySelectorAll('#vectors *').forEach(function (element) {
            events.forEach(function (type) { element.dispatchEvent(new Event(type, { bubbles: true })); });
          });
          document.querySelectorAll('#vectors a').forEach(function (link) {
            if (!/^(https?:|mailto:)/i.test(link.getAttribute('href') || '')) { link.click(); }
          });
        });
        </script>
        """;

    [Fact]
    public async Task No_sanitized_vector_runs_in_chromium()
    {
        var sanitizer = new EmailHtmlSanitizer(Options.Create(new AnalysisOptions()));
        var sanitized = XssCorpus.Vectors.Select(vector => sanitizer.Sanitize(vector).Html);

        var ran = await RenderAsync(sanitized);

        Assert.Empty(ran);
    }

    [Fact]
    public async Task The_harness_sees_unsanitized_vectors_run()
    {
        // The control: rendered raw, the corpus does run, so an empty result above means something.
        var ran = await RenderAsync(XssCorpus.Vectors);
        TestOutput.WriteLine($"Raw vectors that ran in Chromium: {string.Join(", ", ran)}");

        Assert.Contains(1, ran);
        Assert.Contains(11, ran);
        Assert.Contains(38, ran);
        Assert.True(ran.Count >= 10, $"only {ran.Count} raw vectors ran: {string.Join(", ", ran)}");
    }

    private static async Task<IReadOnlyList<int>> RenderAsync(IEnumerable<string> fragments)
    {
        using var directory = new TempDirectory();
        var page = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\">")
            .Append(Harness)
            .Append("</head><body><div id=\"vectors\">");
        foreach (var fragment in fragments)
        {
            page.Append("<div>").Append(fragment).Append("</div>");
        }

        page.Append("</div></body></html>");
        var path = directory.Combine("page.html");
        await File.WriteAllTextAsync(path, page.ToString(), TestContext.Current.CancellationToken);

        var dom = await HeadlessChromium.DumpDomAsync(path);

        var marker = RanMarker().Match(dom);
        return marker.Success
            ? [.. marker.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).Distinct().Order()]
            : [];
    }

    [GeneratedRegex("data-xss=\"([^\"]*)\"")]
    private static partial Regex RanMarker();
}
