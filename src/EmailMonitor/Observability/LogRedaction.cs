using System.Text.RegularExpressions;
using EmailMonitor.Configuration;
using Serilog.Core;
using Serilog.Events;

namespace EmailMonitor.Observability;

/// <summary>
/// The last guard before any log sink: values of properties whose names say they hold a secret
/// or a body are replaced, and so is any text that contains a configured secret or looks like a
/// JWT. The code already never logs these; this catches the day it does by mistake.
/// </summary>
internal sealed partial class LogRedaction : ILogEventEnricher
{
    public const string Redacted = "[redacted]";

    private readonly string[] _secrets;

    /// <summary>Reads the raw secret variables, not validated options, so logging works while the configuration is refused.</summary>
    public LogRedaction(IConfiguration configuration)
    {
        _secrets =
        [
            .. ContractVariables.All
                .Where(variable => variable is { Format: VariableFormat.Secret, Key: not null })
                .Select(variable => configuration[variable.Key!])
                .OfType<string>()
                .Where(secret => secret.Length >= 4),
        ];
    }

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        foreach (var (name, value) in logEvent.Properties.ToList())
        {
            if (SecretName().IsMatch(name))
            {
                logEvent.AddOrUpdateProperty(new LogEventProperty(name, new ScalarValue(Redacted)));
            }
            else if (value is ScalarValue { Value: string text } && Scrub(text) is { } scrubbed)
            {
                logEvent.AddOrUpdateProperty(new LogEventProperty(name, new ScalarValue(scrubbed)));
            }
        }
    }

    /// <summary>The text with secrets replaced, or null when it holds none.</summary>
    public string? Scrub(string text)
    {
        var scrubbed = Jwt().Replace(text, Redacted);
        foreach (var secret in _secrets)
        {
            scrubbed = scrubbed.Replace(secret, Redacted, StringComparison.Ordinal);
        }

        return ReferenceEquals(scrubbed, text) || scrubbed == text ? null : scrubbed;
    }

    [GeneratedRegex("password|secret|token|authorization|cookie|(^|_)body$|^content$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")]
    private static partial Regex Jwt();
}
