namespace EmailMonitor.Tests.Analysis;

/// <summary>
/// Cross-site scripting vectors in the spirit of the OWASP XSS filter evasion cheat sheet, each
/// written so that, if it survives sanitizing and runs, it calls <c>window.__xss(n)</c>.
/// </summary>
internal static class XssCorpus
{
    public static IReadOnlyList<string> Vectors { get; } =
    [
        "<script>__xss(1)</script>",
        "<SCRIPT SRC=data:text/javascript,__xss(2)></SCRIPT>",
        "<IMG SRC=\"javascript:__xss(3);\">",
        "<IMG SRC=javascript:__xss(4)>",
        "<IMG SRC=JaVaScRiPt:__xss(5)>",
        "<IMG SRC=`javascript:__xss(6)`>",
        "<a href=\"javascript:__xss(7)\">click</a>",
        "<a href=\"jav&#x09;ascript:__xss(8)\">click</a>",
        "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;__xss(9)\">click</a>",
        "<IMG SRC=/ onerror=\"__xss(10)\"></img>",
        "<img src=x onerror=__xss(11)>",
        "<svg/onload=__xss(12)>",
        "<svg><script>__xss(13)</script></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=__xss(14)></style></mglyph></table></mtext></math>",
        "<BODY ONLOAD=__xss(15)>",
        "<body onpageshow=__xss(16)>",
        "<iframe src=\"javascript:__xss(17)\"></iframe>",
        "<iframe srcdoc=\"<script>parent.__xss(18)</script>\"></iframe>",
        "<object data=\"javascript:__xss(19)\"></object>",
        "<embed src=\"javascript:__xss(20)\">",
        "<form action=\"javascript:__xss(21)\"><button>go</button></form>",
        "<input autofocus onfocus=__xss(22)>",
        "<details open ontoggle=__xss(23)>",
        "<video><source onerror=\"__xss(24)\"></video>",
        "<audio src=x onerror=__xss(25)>",
        "<marquee onstart=__xss(26)>x</marquee>",
        "<div style=\"background-image: url(javascript:__xss(27))\">x</div>",
        "<div style=\"width: expression(__xss(28))\">x</div>",
        "<div style=\"x:e\\xpression(__xss(29))\">x</div>",
        "<style>@import 'javascript:__xss(30)';</style>",
        "<style>body{background:url(\"javascript:__xss(31)\")}</style>",
        "<link rel=stylesheet href=\"javascript:__xss(32)\">",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:__xss(33)\">",
        "<base href=\"javascript:__xss(34)//\">",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX194c3MoMzUpPC9zY3JpcHQ+\">x</a>",
        "<isindex type=image src=1 onerror=__xss(36)>",
        "<table background=\"javascript:__xss(37)\">",
        "<div onmouseover=\"__xss(38)\" style=\"width:100%;height:100%\">hover</div>",
        "<img src=\"x` `<script>__xss(39)</script>\"` `>",
        "<<script>__xss(40);//<</script>",
        "<scr<script>ipt>__xss(41)</scr</script>ipt>",
        "<noscript><p title=\"</noscript><img src=x onerror=__xss(42)>\">",
        "<template><script>__xss(43)</script></template>",
        "<a href=\"vbscript:__xss(44)\">x</a>",
        "<img src=\"data:image/svg+xml,<svg onload=parent.__xss(45)>\">",
        "<!--<img src=\"--><img src=x onerror=__xss(46)//\">",
        "<textarea><script>__xss(47)</script></textarea>",
        "<a href=\" &#14;  javascript:__xss(48)\">x</a>",
        "<img dynsrc=\"javascript:__xss(49)\">",
        "<xss onafterscriptexecute=__xss(50)><script>1</script>",
    ];
}
