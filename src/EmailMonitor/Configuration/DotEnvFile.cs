using System.Text;

namespace EmailMonitor.Configuration;

/// <summary>
/// Reads the dotenv format people already use with the seed: <c>KEY=value</c> lines, optional
/// <c>export</c>, <c>#</c> comments, and single- or double-quoted values.
/// </summary>
internal static class DotEnvFile
{
    public static DotEnvParseResult Parse(string text, string sourceName)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var problems = new List<string>();
        var lines = text.ReplaceLineEndings("\n").Split('\n');

        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var key = equals > 0 ? line[..equals].Trim() : string.Empty;
            if (!IsValidKey(key))
            {
                problems.Add($"{sourceName} line {i + 1}: expected KEY=value");
                continue;
            }

            var value = ParseValue(line[(equals + 1)..].Trim(), out var error);
            if (error is not null)
            {
                problems.Add($"{sourceName} line {i + 1}: {key}: {error}");
                continue;
            }

            values[key] = value;
        }

        return new DotEnvParseResult(values, problems);
    }

    private static bool IsValidKey(string key) =>
        key.Length > 0
        && !char.IsAsciiDigit(key[0])
        && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static string ParseValue(string raw, out string? error)
    {
        error = null;
        if (raw.Length == 0)
        {
            return raw;
        }

        var quote = raw[0];
        if (quote is '"' or '\'')
        {
            var close = FindClosingQuote(raw, quote);
            if (close < 0)
            {
                error = "unterminated quoted value";
                return string.Empty;
            }

            var rest = raw[(close + 1)..].Trim();
            if (rest.Length > 0 && rest[0] != '#')
            {
                error = "unexpected text after the closing quote";
                return string.Empty;
            }

            var inner = raw[1..close];
            return quote == '"' ? Unescape(inner) : inner;
        }

        // An unquoted value ends at " #", so a trailing comment is not taken as part of it.
        var comment = raw.IndexOf(" #", StringComparison.Ordinal);
        return (comment >= 0 ? raw[..comment] : raw).TrimEnd();
    }

    private static int FindClosingQuote(string raw, char quote)
    {
        for (var i = 1; i < raw.Length; i++)
        {
            if (quote == '"' && raw[i] == '\\')
            {
                i++;
                continue;
            }

            if (raw[i] == quote)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Unescape(string inner)
    {
        var builder = new StringBuilder(inner.Length);
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '\\' && i + 1 < inner.Length)
            {
                i++;
                builder.Append(inner[i] switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    var other => other,
                });
            }
            else
            {
                builder.Append(inner[i]);
            }
        }

        return builder.ToString();
    }
}
