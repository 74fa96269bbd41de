namespace EmailMonitor.Configuration;

internal sealed record DotEnvParseResult(IReadOnlyDictionary<string, string> Values, IReadOnlyList<string> Problems);
