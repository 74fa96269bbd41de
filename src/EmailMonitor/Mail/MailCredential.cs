namespace EmailMonitor.Mail;

/// <summary>How a mailbox logs in. Its text form never holds the secret.</summary>
internal abstract record MailCredential;

internal sealed record PasswordCredential(string Password) : MailCredential
{
    public override string ToString() => "password";
}

/// <summary>
/// OAuth 2.0 for IMAP/POP3 (XOAUTH2 or OAUTHBEARER): an access token is obtained from
/// <see cref="TokenUrl"/> with the refresh token, and the refresh token is replaced when the
/// provider rotates it.
/// </summary>
internal sealed record OAuth2Credential(string TokenUrl, string ClientId, string? ClientSecret, string RefreshToken, string? Scope) : MailCredential
{
    public override string ToString() => "oauth2";
}

/// <summary>Stored credentials that cannot be decrypted (CREDENTIALS_KEY changed or the row was altered); the mailbox cannot log in until they are set again.</summary>
internal sealed record UnreadableCredential : MailCredential
{
    public override string ToString() => "unreadable";
}
