using MailKit;
using MailKit.Security;

namespace EmailMonitor.Mail;

/// <summary>
/// How one mailbox logs in, shared by all its sessions: a password, or an OAuth 2.0 access token
/// over OAUTHBEARER (RFC 7628) where the server offers it, else XOAUTH2. A token the server refuses
/// is refreshed and tried once more before the login counts as failed.
/// </summary>
internal sealed class MailLogin(MailboxDefinition mailbox, OAuth2TokenSource? tokens)
{
    public MailboxDefinition Mailbox { get; } = mailbox;

    /// <summary>
    /// Gets a usable access token ahead of the login, outside the connection gate, so a slow or
    /// dead token endpoint holds up only this mailbox, never the others waiting to connect.
    /// </summary>
    public Task PrepareAsync(CancellationToken cancellationToken) =>
        tokens is null ? Task.CompletedTask : tokens.GetAsync(null, cancellationToken);

    public async Task AuthenticateAsync(MailService client, CancellationToken cancellationToken)
    {
        switch (Mailbox.Credential)
        {
            case PasswordCredential password:
                await client.AuthenticateAsync(Mailbox.Username, password.Password, cancellationToken);
                return;
            case OAuth2Credential when tokens is not null:
                await AuthenticateWithTokenAsync(client, cancellationToken);
                return;
            case UnreadableCredential:
                throw new MailConnectException(
                    ConnectStep.Authentication, "the stored credentials cannot be decrypted (CREDENTIALS_KEY is not the key they were saved with); set them again");
            default:
                throw new NotSupportedException($"{Mailbox.Credential} credentials are not supported");
        }
    }

    private async Task AuthenticateWithTokenAsync(MailService client, CancellationToken cancellationToken)
    {
        var bearer = client.AuthenticationMechanisms.Contains("OAUTHBEARER");
        if (!bearer && !client.AuthenticationMechanisms.Contains("XOAUTH2"))
        {
            throw new MailConnectException(ConnectStep.Authentication, $"{Mailbox.Server} offers neither OAUTHBEARER nor XOAUTH2; use a password for this mailbox");
        }

        string? refused = null;
        for (var attempt = 1; ; attempt++)
        {
            var token = await tokens!.GetAsync(refused, cancellationToken);
            SaslMechanism mechanism = bearer
                ? new SaslMechanismOAuthBearer(Mailbox.Username, token)
                : new SaslMechanismOAuth2(Mailbox.Username, token);
            try
            {
                await client.AuthenticateAsync(mechanism, cancellationToken);
                return;
            }
            catch (AuthenticationException) when (attempt == 1)
            {
                refused = token;
            }
            catch (ProtocolException ex)
            {
                // MailKit's POP3 client cannot answer a refused bearer token's error challenge
                // (RFC 7628 §3.2.3) and drops the session: the next attempt starts with a new token.
                tokens.Forget(token);
                throw new MailConnectException(ConnectStep.Connect, "the server refused the OAuth2 access token; the next attempt gets a new one", ex);
            }
        }
    }
}
