using EmailMonitor.Mail;

namespace EmailMonitor.Mailboxes;

/// <summary>
/// Where the big providers keep their mail and their OAuth 2.0 token endpoints, so adding a mailbox
/// there needs only an address and a secret. Chosen by <c>provider</c>, or else by the domain of
/// the address (a custom domain hosted by Google or Microsoft names its provider).
/// </summary>
internal static class ProviderPresets
{
    public static readonly IReadOnlyList<ProviderPreset> All =
    [
        new(
            "gmail",
            ["gmail.com", "googlemail.com"],
            "imap.gmail.com",
            "pop.gmail.com",
            "https://oauth2.googleapis.com/token",
            ImapScope: "https://mail.google.com/",
            Pop3Scope: "https://mail.google.com/"),
        new(
            "outlook",
            ["outlook.com", "hotmail.com", "live.com", "msn.com"],
            "outlook.office365.com",
            "outlook.office365.com",
            "https://login.microsoftonline.com/common/oauth2/v2.0/token",
            ImapScope: "https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
            Pop3Scope: "https://outlook.office.com/POP.AccessAsUser.All offline_access"),
        new("yahoo", ["yahoo.com", "ymail.com", "rocketmail.com"], "imap.mail.yahoo.com", "pop.mail.yahoo.com", null, null, null),
        new("fastmail", ["fastmail.com", "fastmail.fm"], "imap.fastmail.com", "pop.fastmail.com", null, null, null),
        new("icloud", ["icloud.com", "me.com", "mac.com"], "imap.mail.me.com", null, null, null, null),
    ];

    public static ProviderPreset? Named(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    public static ProviderPreset? ForAddress(string? address)
    {
        var at = address?.LastIndexOf('@') ?? -1;
        if (at < 0)
        {
            return null;
        }

        var domain = address![(at + 1)..];
        return All.FirstOrDefault(p => p.Domains.Contains(domain, StringComparer.OrdinalIgnoreCase));
    }
}

/// <summary>One provider: its domains, its IMAP and POP3 hosts (implicit TLS on 993 and 995), and its OAuth 2.0 token endpoint and scopes, if it has them.</summary>
internal sealed record ProviderPreset(
    string Name,
    IReadOnlyList<string> Domains,
    string ImapHost,
    string? Pop3Host,
    string? TokenUrl,
    string? ImapScope,
    string? Pop3Scope)
{
    public string? Host(MailProtocol protocol) => protocol == MailProtocol.Pop3 ? Pop3Host : ImapHost;

    public string? Scope(MailProtocol protocol) => protocol == MailProtocol.Pop3 ? Pop3Scope : ImapScope;
}
