using System.Text;
using AngleSharp.Dom;

namespace EmailMonitor.Analysis;

/// <summary>Reads sanitized HTML as plain text: block elements become line breaks, runs of whitespace one space.</summary>
internal static class HtmlText
{
    private static readonly HashSet<string> BlockElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table",
        "ul", "ol", "hr", "section", "article", "header", "footer", "dd", "dt",
    };

    public static string Extract(INode root)
    {
        var text = new StringBuilder();
        Append(root, text);
        return text.ToString().Trim();
    }

    private static void Append(INode node, StringBuilder text)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText textNode:
                    AppendCollapsed(textNode.Data, text);
                    break;
                case IElement element when element.LocalName is "style" or "script" or "head" or "title":
                    break;
                case IElement element:
                    var isBlock = BlockElements.Contains(element.LocalName);
                    if (isBlock)
                    {
                        NewLine(text);
                    }

                    Append(element, text);
                    if (isBlock)
                    {
                        NewLine(text);
                    }

                    break;
            }
        }
    }

    private static void AppendCollapsed(string data, StringBuilder text)
    {
        foreach (var c in data)
        {
            if (char.IsWhiteSpace(c))
            {
                if (text.Length > 0 && !char.IsWhiteSpace(text[^1]))
                {
                    text.Append(' ');
                }
            }
            else
            {
                text.Append(c);
            }
        }
    }

    private static void NewLine(StringBuilder text)
    {
        while (text.Length > 0 && text[^1] == ' ')
        {
            text.Length--;
        }

        if (text.Length > 0 && text[^1] != '\n')
        {
            text.Append('\n');
        }
    }
}
