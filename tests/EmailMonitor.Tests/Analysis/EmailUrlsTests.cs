using EmailMonitor.Analysis;

namespace EmailMonitor.Tests.Analysis;

public sealed class EmailUrlsTests
{
    [Theory]
    [InlineData("/api/stats?n=1", nameof(UrlKind.Relative))]
    [InlineData("api/stats", nameof(UrlKind.Relative))]
    [InlineData("../../api/admin/users", nameof(UrlKind.Relative))]
    [InlineData("?x=1", nameof(UrlKind.Relative))]
    [InlineData("", nameof(UrlKind.Relative))]
    [InlineData("#top", nameof(UrlKind.Fragment))]
    [InlineData("  #top", nameof(UrlKind.Fragment))]
    [InlineData("//tracker.example/p.gif", nameof(UrlKind.Remote))]
    [InlineData("\\\\tracker.example\\p.gif", nameof(UrlKind.Remote))]
    [InlineData("/\\tracker.example/p.gif", nameof(UrlKind.Remote))]
    [InlineData("\\/tracker.example/p.gif", nameof(UrlKind.Remote))]
    [InlineData("/\t/tracker.example/p.gif", nameof(UrlKind.Remote))]
    [InlineData("\u0001//tracker.example/p.gif", nameof(UrlKind.Remote))]
    [InlineData("https://tracker.example/p.gif", nameof(UrlKind.Remote))]
    [InlineData("HTTPS://TRACKER.EXAMPLE/p.gif", nameof(UrlKind.Remote))]
    [InlineData("https:tracker.example/p.gif", nameof(UrlKind.Remote))]
    [InlineData("https:\\\\tracker.example\\p.gif", nameof(UrlKind.Remote))]
    [InlineData("  http://tracker.example/p.gif  ", nameof(UrlKind.Remote))]
    [InlineData("data:image/png;base64,iVBORw0KGgo=", nameof(UrlKind.Data))]
    [InlineData("data:text/html;base64,PHNjcmlwdD4=", nameof(UrlKind.Script))]
    [InlineData("data:image/svg+xml,<svg onload=x()>", nameof(UrlKind.Script))]
    [InlineData("cid:logo@example.com", nameof(UrlKind.ContentId))]
    [InlineData("mailto:desk@example.com", nameof(UrlKind.Mailto))]
    [InlineData("javascript:alert(1)", nameof(UrlKind.Script))]
    [InlineData("java\tscript:alert(1)", nameof(UrlKind.Script))]
    [InlineData("java\nscript:alert(1)", nameof(UrlKind.Script))]
    [InlineData(" \u0001javascript:alert(1)", nameof(UrlKind.Script))]
    [InlineData("JaVaScRiPt:alert(1)", nameof(UrlKind.Script))]
    [InlineData("vbscript:msgbox(1)", nameof(UrlKind.Script))]
    [InlineData("ftp://files.example/x", nameof(UrlKind.Other))]
    [InlineData("file:///etc/passwd", nameof(UrlKind.Other))]
    [InlineData("http://[::1", nameof(UrlKind.Other))]
    public void Urls_are_judged_as_a_browser_reads_them(string url, string expected) =>
        Assert.Equal(expected, EmailUrls.Judge(url).Kind.ToString());

    [Fact]
    public void A_remote_url_is_given_back_as_a_browser_would_request_it()
    {
        Assert.Equal("https://tracker.example/p.gif", EmailUrls.Judge("https:\\\\tracker.example\\p.gif").Href);
        Assert.Equal("https://tracker.example/p.gif", EmailUrls.Judge("//tracker.example/p.gif").Href);
    }
}
