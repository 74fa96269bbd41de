using Microsoft.Extensions.Options;

namespace EmailMonitor.Mailboxes;

internal sealed class MailboxesOptionsValidator : IValidateOptions<MailboxesOptions>
{
    public ValidateOptionsResult Validate(string? name, MailboxesOptions options)
    {
        return options.CredentialsKey.Length > 0 && CredentialVault.TryReadKey(options.CredentialsKey) is null
            ? ValidateOptionsResult.Fail("CREDENTIALS_KEY: must be 32 random bytes in base64, e.g. from: openssl rand -base64 32")
            : ValidateOptionsResult.Success;
    }
}
