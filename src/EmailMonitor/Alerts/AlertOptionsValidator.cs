using System.Net;
using Microsoft.Extensions.Options;
using MimeKit;

namespace EmailMonitor.Alerts;

internal sealed class AlertOptionsValidator : IValidateOptions<AlertOptions>
{
    private const int MaxRecipients = 50;

    public ValidateOptionsResult Validate(string? name, AlertOptions options)
    {
        var failures = new List<string>();
        if (options.MinRiskScore is < 0 or > 100)
        {
            failures.Add("ALERT_MIN_RISK_SCORE: must be between 0 and 100");
        }

        if (options.Interval < TimeSpan.FromSeconds(1) || options.Interval > TimeSpan.FromDays(1))
        {
            failures.Add("ALERT_INTERVAL: must be between 1 and 86400 seconds");
        }

        if (!options.Enabled)
        {
            // Half a configuration is a mistake, not a wish for silence: say so rather than send nothing.
            if (options.To.Length > 0 || options.From.Length > 0 || options.SmtpUsername.Length > 0 || options.SmtpPassword.Length > 0)
            {
                failures.Add("ALERT_SMTP_HOST: required when ALERT_SMTP_TO, ALERT_SMTP_FROM, ALERT_SMTP_USERNAME or ALERT_SMTP_PASSWORD is set (the SMTP server alerts go through)");
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }

        if (Uri.CheckHostName(options.SmtpHost) == UriHostNameType.Unknown)
        {
            failures.Add("ALERT_SMTP_HOST: not a valid host name or IP address");
        }

        if (options.SmtpPort is < 1 or > 65535)
        {
            failures.Add("ALERT_SMTP_PORT: must be between 1 and 65535");
        }

        if (!IsAddress(options.From))
        {
            failures.Add("ALERT_SMTP_FROM: required, one e-mail address (alerts@example.com) that the SMTP server lets this service send from");
        }

        if (options.To.Length == 0)
        {
            failures.Add("ALERT_SMTP_TO: at least one recipient is required (comma-separated addresses)");
        }
        else if (options.To.Length > MaxRecipients)
        {
            failures.Add($"ALERT_SMTP_TO: at most {MaxRecipients} recipients; use a list address for more");
        }
        else if (options.To.FirstOrDefault(to => !IsAddress(to)) is { } bad)
        {
            failures.Add($"ALERT_SMTP_TO: '{(bad.Length <= 60 ? bad : bad[..60] + "…")}' is not an e-mail address");
        }

        if (options.SmtpUsername.Length > 0 != options.SmtpPassword.Length > 0)
        {
            failures.Add("ALERT_SMTP_USERNAME, ALERT_SMTP_PASSWORD: set both to sign in to the SMTP server, or neither");
        }

        if (options.SmtpSecurity == Mail.MailSecurity.None && !options.AllowInsecure && !IsLoopback(options.SmtpHost))
        {
            failures.Add("ALERT_SMTP_SECURITY: none would send alerts (and any password) in clear text to a remote host; use starttls or ssl, or set ALERT_SMTP_ALLOW_INSECURE=true");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // One bare address: no display name to smuggle a second one in, no group, no line break.
    private static bool IsAddress(string value) =>
        value.Length is > 0 and <= 320
        && !value.Any(char.IsControl)
        && MailboxAddress.TryParse(value, out var address)
        && string.Equals(address.Address, value.Trim(), StringComparison.Ordinal)
        && address.Address.Contains('@', StringComparison.Ordinal);

    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
}
