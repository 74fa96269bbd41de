using System.Net;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Mail;

internal sealed class MailOptionsValidator : IValidateOptions<MailOptions>
{
    public ValidateOptionsResult Validate(string? name, MailOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Server))
        {
            failures.Add("EMAIL_SERVER: required (the IMAP or POP3 host to watch, e.g. imap.example.com)");
        }
        else if (Uri.CheckHostName(options.Server) == UriHostNameType.Unknown)
        {
            failures.Add("EMAIL_SERVER: not a valid host name or IP address");
        }

        if (string.IsNullOrWhiteSpace(options.Username))
        {
            failures.Add("EMAIL_USERNAME: required (the mailbox login)");
        }

        if (string.IsNullOrEmpty(options.Password))
        {
            failures.Add("EMAIL_PASSWORD: required (the mailbox password or app password)");
        }

        if (options.Port is < 1 or > 65535)
        {
            failures.Add("EMAIL_PORT: must be between 1 and 65535");
        }

        if (options.Folders.Length == 0)
        {
            failures.Add("EMAIL_FOLDER: at least one folder is required");
        }

        if (options.Protocol == MailProtocol.Pop3 && !options.Folders.SequenceEqual([MailboxDefinition.Pop3Folder]))
        {
            failures.Add("EMAIL_FOLDER: POP3 reaches only the INBOX; remove EMAIL_FOLDER or use imap");
        }

        if (options.Folders.Distinct(StringComparer.Ordinal).Count() != options.Folders.Length)
        {
            failures.Add("EMAIL_FOLDER: a folder is listed twice");
        }

        if (options.CheckInterval < TimeSpan.FromSeconds(5) || options.CheckInterval > TimeSpan.FromHours(1))
        {
            failures.Add("EMAIL_CHECK_INTERVAL: must be between 5 and 3600 seconds");
        }

        if (options.Security == MailSecurity.None && !options.AllowInsecure && !IsLoopback(options.Server))
        {
            failures.Add("EMAIL_SECURITY: none would send the password in clear text to a remote host; use ssl or starttls, or set EMAIL_ALLOW_INSECURE=true");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
}
