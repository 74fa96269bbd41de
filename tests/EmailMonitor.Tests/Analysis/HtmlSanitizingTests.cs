using System.Text.RegularExpressions;
using EmailMonitor.Analysis;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Tests.Analysis;

/// <summary>The email sanitizer on hostile HTML and on the inline styles newsletters depend on.</summary>
public sealed partial class HtmlSanitizingTests
{
    private readonly EmailHtmlSanitizer _sanitizer = new(Options.Create(new AnalysisOptions()));

    public static TheoryData<int> VectorNumbers => [.. Enumerable.Range(0, XssCorpus.Vectors.Count)];

    [Theory]
    [MemberData(nameof(VectorNumbers))]
    public void No_xss_vector_leaves_anything_that_can_run(int number)
    {
        var html = _sanitizer.Sanitize(XssCorpus.Vectors[number]).Html;

        Assert.DoesNotMatch(ActiveMarkup(), html);
    }

    [Fact]
    public void Active_content_is_reported_as_removed_and_harmless_html_is_not()
    {
        Assert.True(_sanitizer.Sanitize("<p onclick=\"x()\">hi</p>").ActiveContentRemoved);
        Assert.True(_sanitizer.Sanitize("<iframe src=\"https://example.com\"></iframe>").ActiveContentRemoved);
        Assert.True(_sanitizer.Sanitize("<p style=\"width: expression(alert(1))\">hi</p>").ActiveContentRemoved);
        Assert.False(_sanitizer.Sanitize("<p><b>bold</b> and <a href=\"https://example.com\">a link</a></p>").ActiveContentRemoved);
    }

    [Fact]
    public void Cid_images_are_resolved_from_the_message_unknown_ones_and_remote_ones_dropped_whole()
    {
        var images = new Dictionary<string, string> { ["logo@example.com"] = "data:image/png;base64,iVBORw0KGgo=" };

        var sanitized = _sanitizer.Sanitize(
            "<p>logo <img src=\"cid:logo@example.com\" alt=\"logo\"> missing <img src=\"cid:other@example.com\"> pixel <img src=\"https://t.example/p.gif\"></p>",
            inlineImages: images);

        Assert.Contains("<img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"logo\">", sanitized.Html);
        Assert.Equal(1, Regex.Count(sanitized.Html, "<img"));
        Assert.DoesNotContain("cid:", sanitized.Html);
        Assert.True(sanitized.RemoteContentFound);
    }

    [Theory]
    [InlineData("<img src=\"/api/stats?n=1\">", false)]
    [InlineData("<img src=\"api/stats\">", false)]
    [InlineData("<img src=\"../api/admin/users\">", false)]
    [InlineData("<img src=\"//tracker.example/p.gif\">", true)]
    [InlineData("<img src=\"\\\\tracker.example\\p.gif\">", true)]
    [InlineData("<img src=\"/\\tracker.example/p.gif\">", true)]
    [InlineData("<img src=\"/&#9;/tracker.example/p.gif\">", true)]
    [InlineData("<img src=\"https:\\\\tracker.example\\p.gif\">", true)]
    [InlineData("<img src=\"ftp://tracker.example/p.gif\">", false)]
    public void Images_that_a_browser_would_load_from_outside_the_message_are_removed(string html, bool remote)
    {
        var sanitized = _sanitizer.Sanitize($"<p>before {html} after</p>");

        Assert.Equal("<p>before  after</p>", sanitized.Html);
        Assert.Equal(remote, sanitized.RemoteContentFound);
    }

    [Fact]
    public void A_hundred_and_fifty_images_aimed_at_the_monitors_api_leave_nothing_to_load()
    {
        var html = string.Concat(Enumerable.Range(0, 150).Select(i => $"<img src=\"/api/stats?n={i}\"><img src=\"\\\\monitor\\api\\stats?n={i}\">"));

        Assert.DoesNotContain("<img", _sanitizer.Sanitize(html).Html);
    }

    [Theory]
    [InlineData("<img src=\"//tracker.example/p.gif\">", "<img src=\"https://tracker.example/p.gif\">")]
    [InlineData("<img src=\"https:\\\\tracker.example\\p.gif\">", "<img src=\"https://tracker.example/p.gif\">")]
    [InlineData("<img src=\"/api/stats\">", "")]
    public void Allowed_remote_images_are_kept_as_the_browser_will_request_them(string html, string expected)
    {
        var sanitizer = new EmailHtmlSanitizer(Options.Create(new AnalysisOptions { AllowRemoteContent = true }));

        Assert.Equal(expected, sanitizer.Sanitize(html).Html);
    }

    [Theory]
    [InlineData("<a href=\"/api/admin/users\">users</a>", "<a>users</a>")]
    [InlineData("<a href=\"#section\">jump</a>", "<a href=\"#section\" rel=\"noopener noreferrer\" target=\"_blank\">jump</a>")]
    [InlineData("<a href=\"mailto:desk@example.com\">mail</a>", "<a href=\"mailto:desk@example.com\" rel=\"noopener noreferrer\" target=\"_blank\">mail</a>")]
    [InlineData("<a href=\"\\\\evil.example\\login\">x</a>", "<a href=\"https://evil.example/login\" rel=\"noopener noreferrer\" target=\"_blank\">x</a>")]
    public void Links_keep_only_targets_outside_the_page_showing_them(string html, string expected) =>
        Assert.Equal(expected, _sanitizer.Sanitize(html).Html);

    [Theory]
    [InlineData("<a href=\"\\\\evil.example\\login\">www.paypal.com</a>")]
    [InlineData("<a href=\"/\\evil.example/login\">https://www.paypal.com/signin</a>")]
    [InlineData("<a href=\"//evil.example/login\">paypal.com</a>")]
    [InlineData("<a href=\"https:\\\\evil.example\">paypal.com</a>")]
    public void Backslash_and_protocol_relative_links_are_judged_by_where_they_go(string html) =>
        Assert.True(_sanitizer.Sanitize(html).SuspiciousLink);

    [Theory]
    [InlineData("<video><source src=x onerror=\"alert(1)\"></video>")]
    [InlineData("<video poster=x onerror=\"alert(1)\"></video>")]
    [InlineData("<custom-card onclick=\"alert(1)\">x</custom-card>")]
    [InlineData("<foo onmouseover=\"alert(1)\">x</foo>")]
    [InlineData("<x:y onclick=\"alert(1)\">x</x:y>")]
    [InlineData("<audio src=x onerror=alert(1)></audio>")]
    [InlineData("<picture><source srcset=x><img src=x onerror=alert(1)></picture>")]
    [InlineData("<body onload=\"alert(1)\"><p>hi</p>")]
    [InlineData("<details open ontoggle=alert(1)>x</details>")]
    [InlineData("<a href=\"java&#9;script:alert(1)\">x</a>")]
    [InlineData("<a href=\" &#1;javascript:alert(1)\">x</a>")]
    [InlineData("<button formaction=\"javascript:alert(1)\">x</button>")]
    [InlineData("<unknown><a href=\"javascript:alert(1)\">x</a></unknown>")]
    [InlineData("<video><div onclick=\"alert(1)\">inside</div></video>")]
    public void Live_script_anywhere_in_the_source_is_reported_even_where_whole_elements_are_removed(string html)
    {
        var sanitized = _sanitizer.Sanitize(html);

        Assert.True(sanitized.ActiveContentRemoved);
        Assert.DoesNotMatch(ActiveMarkup(), sanitized.Html);
    }

    [Theory]
    [InlineData("<video><source src=\"clip.mp4\"></video>")]
    [InlineData("<foo title=\"javascript: a language\">x</foo>")]
    [InlineData("<p title=\"onload\">x</p>")]
    public void Removed_elements_without_script_are_not_reported_as_script(string html) =>
        Assert.False(_sanitizer.Sanitize(html).ActiveContentRemoved);

    [Theory]
    [InlineData("<img src=\"data:image/png;base64,iVBORw0KGgo=\">", true)]
    [InlineData("<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">", false)]
    [InlineData("<a href=\"data:image/png;base64,iVBORw0KGgo=\">x</a>", false)]
    [InlineData("<img src=\"data:text/html;base64,PHNjcmlwdD4=\">", false)]
    public void Only_raster_data_images_are_kept(string html, bool kept) =>
        Assert.Equal(kept, _sanitizer.Sanitize(html).Html.Contains("data:", StringComparison.Ordinal));

    [Fact]
    public void Safe_inline_styles_are_kept()
    {
        var html = _sanitizer.Sanitize("<table><tr><td style=\"padding:16px 24px;border-bottom:1px solid #eee;color:#333;font-family:Helvetica,Arial,sans-serif\">x</td></tr></table>").Html;

        Assert.Contains("padding: 16px 24px", html);
        Assert.Contains("border-bottom: 1px solid #eee", html);
        Assert.Contains("font-family: Helvetica,Arial,sans-serif", html);
    }

    [Theory]
    [InlineData("position: fixed; top: 0; left: 0", "")]
    [InlineData("color: red; behavior: url(x.htc)", "color: red")]
    [InlineData("color: red; -moz-binding: url(x.xml#x)", "color: red")]
    [InlineData("color: red; width: e\\xpression(alert(1))", "color: red")]
    [InlineData("color: red; width: expr/**/ession(alert(1))", "color: red")]
    [InlineData("color: red; background: url(javascript:alert(1))", "color: red")]
    [InlineData("color: red; background-image: url(https://tracker.example/p.gif)", "color: red")]
    [InlineData("color: red; font-family: \"a;b\"", "color: red; font-family: \"a;b\"")]
    public void Inline_styles_keep_only_allowlisted_declarations(string style, string expected) =>
        Assert.Equal(expected, InlineStyles.Filter(style, allowRemoteContent: false).Css);

    [Theory]
    [InlineData("background-image: image-set(\"/api/stats?n=1\" 1x)", false)]
    [InlineData("background-image: -webkit-image-set(\"//tracker.example/p.gif\" 1x)", true)]
    [InlineData("background-image: image-set('https://tracker.example/p.gif' 1x, 'https://tracker.example/p2.gif' 2x)", true)]
    [InlineData("background: url(//tracker.example/p.gif)", true)]
    [InlineData("background: url(/api/stats)", false)]
    [InlineData("list-style: url(\"https:tracker.example/p.gif\")", true)]
    [InlineData("cursor: url(https://tracker.example/c.cur), auto", true)]
    [InlineData("background-image: cross-fade(url(a.png), url(b.png), 50%)", false)]
    [InlineData("background: paint(tracker)", false)]
    public void Styles_that_would_load_anything_are_removed_and_remote_ones_counted(string style, bool remote)
    {
        var filtered = InlineStyles.Filter(style + "; color: red", allowRemoteContent: true);

        Assert.Equal("color: red", filtered.Css);
        Assert.Equal(remote, filtered.RemoteContentFound);
    }

    [Theory]
    [InlineData("background-image: url(//tracker.example/p.gif", true)]
    [InlineData("background-image: url(\"/api/emails", false)]
    [InlineData("background: url('https://tracker.example/p.gif'", true)]
    [InlineData("font-family: \"unclosed", false)]
    public void A_style_left_open_at_its_end_is_removed_as_the_browser_would_close_it(string style, bool remote)
    {
        var filtered = InlineStyles.Filter("color: red; " + style, allowRemoteContent: true);

        Assert.Equal("color: red", filtered.Css);
        Assert.Equal(remote, filtered.RemoteContentFound);
    }

    [Fact]
    public void A_megabytes_style_attribute_is_dropped_without_being_read()
    {
        var style = "a:" + string.Concat(Enumerable.Repeat("url(", 1_000_000));

        var sanitized = _sanitizer.Sanitize($"<p style=\"{style}\">x</p>");

        Assert.Equal("<p>x</p>", sanitized.Html);
    }

    [Theory]
    [InlineData("font-family: \"Expression Sans\", serif", false)]
    [InlineData("width: expression (alert(1))", true)]
    [InlineData("behavior: url(x.htc)", true)]
    public void Only_what_ie_would_run_counts_as_script_in_a_style(string style, bool active) =>
        Assert.Equal(active, InlineStyles.Filter(style, allowRemoteContent: false).ActiveContentRemoved);

    [Fact]
    public void Image_map_areas_are_links_judged_and_opened_like_any_other()
    {
        var sanitized = _sanitizer.Sanitize("<img src=\"cid:map\" usemap=\"#m\"><map name=\"m\"><area href=\"https://203.0.113.9/login\" alt=\"bank\"></map>");

        Assert.True(sanitized.SuspiciousLink);
        Assert.Contains("<area href=\"https://203.0.113.9/login\" alt=\"bank\" rel=\"noopener noreferrer\" target=\"_blank\">", sanitized.Html);
    }

    [Fact]
    public void Quoted_font_names_are_not_resources()
    {
        var filtered = InlineStyles.Filter("font-family: \"Segoe UI\", 'Helvetica Neue', sans-serif", allowRemoteContent: false);

        Assert.Equal("font-family: \"Segoe UI\", 'Helvetica Neue', sans-serif", filtered.Css);
        Assert.False(filtered.RemoteContentFound);
    }

    [Fact]
    public void Remote_background_images_stay_only_when_remote_content_is_allowed()
    {
        const string style = "background-image: url('https://cdn.example.com/bg.png'); color: red";

        var blocked = InlineStyles.Filter(style, allowRemoteContent: false);
        var allowed = InlineStyles.Filter(style, allowRemoteContent: true);

        Assert.Equal("color: red", blocked.Css);
        Assert.True(blocked.RemoteContentFound);
        Assert.Equal(style, allowed.Css);
        Assert.Equal(
            "color: red",
            InlineStyles.Filter("background: url(javascript:alert(1)); color: red", allowRemoteContent: true).Css);
    }

    [GeneratedRegex(@"<\s*(script|iframe|object|embed|form|input|button|meta|base|link|svg|math|style|textarea|template)\b|\son[a-z]+\s*=|(href|src|action|background|dynsrc|data)\s*=\s*[""']?\s*(javascript|vbscript|data):|expression\s*\(", RegexOptions.IgnoreCase)]
    private static partial Regex ActiveMarkup();
}
