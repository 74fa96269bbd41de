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
