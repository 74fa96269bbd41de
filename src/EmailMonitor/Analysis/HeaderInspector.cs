using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Cryptography;

namespace EmailMonitor.Analysis;

/// <summary>
/// Checks of the envelope headers: a display name that shows another address, a Reply-To that
/// leads elsewhere, and the receiving server's SPF, DKIM and DMARC verdicts.
/// </summary>
internal sealed partial class HeaderInspector(IOptions<AnalysisOptions> options)
{
    private readonly string _authServId = options.Value.AuthServId;

    public void Inspect(MimeMessage message, MailboxAddress? from, List<string> flags)
    {
        if (from is not null && IsSpoofed(from))
        {
            flags.Add(SecurityFlags.SenderSpoofing);
        }

        var senderDomain = from is null ? string.Empty : Domains.DomainOf(from.Address);
        if (senderDomain.Length > 0
            && message.ReplyTo.Mailboxes.Any(reply => !Domains.SameOrganization(Domains.DomainOf(reply.Address), senderDomain)))
        {
            flags.Add(SecurityFlags.ReplyToMismatch);
        }

        if (TrustedAuthenticationResults(message.Headers) is { } results)
        {
            AddFailures(results, flags);
        }
    }

    /// <summary>The verdicts of the Authentication-Results header the flags are read from (see below); none without one.</summary>
    public AuthenticationSummary Authentication(HeaderList headers) =>
        TrustedAuthenticationResults(headers) is { } results
            ? new AuthenticationSummary(
                results.AuthenticationServiceIdentifier,
                [.. results.Results.Select(result => new AuthenticationVerdict(
                    result.Method?.ToLowerInvariant() ?? string.Empty,
                    result.Result?.ToLowerInvariant() ?? string.Empty,
                    result.Reason ?? result.ResultComment ?? string.Empty,
                    [.. result.Properties.Select(p => $"{p.PropertyType}.{p.Property}={p.Value}")]))])
            : new AuthenticationSummary(null, []);

    // "ceo@example.com" <attacker@evil.test>: the name shows an address that is not the sender's.
    private static bool IsSpoofed(MailboxAddress from) =>
        !string.IsNullOrEmpty(from.Name)
        && AddressInText().Matches(from.Name).Any(match => !string.Equals(match.Value, from.Address, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The Authentication-Results header the receiving server added: with an AUTH_SERV_ID, the
    /// topmost header of that server; without one, the topmost header. Headers lower down may
    /// have been written by anyone on the way, the sender included, and are never read.
    /// </summary>
    private AuthenticationResults? TrustedAuthenticationResults(HeaderList headers)
    {
        foreach (var header in headers.Where(h => h.Id == HeaderId.AuthenticationResults))
        {
            if (!AuthenticationResults.TryParse(header.RawValue, out var results))
            {
                if (_authServId.Length == 0)
                {
                    return null;
                }

                continue;
            }

            if (_authServId.Length == 0 || string.Equals(results.AuthenticationServiceIdentifier, _authServId, StringComparison.OrdinalIgnoreCase))
            {
                return results;
            }
        }

        return null;
    }

    private static void AddFailures(AuthenticationResults results, List<string> flags)
    {
        foreach (var result in results.Results)
        {
            var verdict = result.Result?.ToLowerInvariant();
            var flag = result.Method?.ToLowerInvariant() switch
            {
                "spf" when verdict is "fail" or "softfail" => SecurityFlags.SpfFail,
                "dkim" when verdict is "fail" => SecurityFlags.DkimFail,
                "dmarc" when verdict is "fail" => SecurityFlags.DmarcFail,
                _ => null,
            };
            if (flag is not null && !flags.Contains(flag))
            {
                flags.Add(flag);
            }
        }
    }

    [GeneratedRegex(@"[^\s<>""'@()\[\],;:]+@[^\s<>""'@()\[\],;:]+\.[A-Za-z]{2,}")]
    private static partial Regex AddressInText();
}

/// <summary>The receiving server's authentication verdicts (<c>GET /api/emails/headers/{id}</c>).</summary>
internal sealed record AuthenticationSummary(string? Server, IReadOnlyList<AuthenticationVerdict> Results);

/// <summary>One method's verdict: <c>spf</c> <c>fail</c>, with the reason given and what it was checked on (<c>smtp.mailfrom=…</c>).</summary>
internal sealed record AuthenticationVerdict(string Method, string Result, string Reason, IReadOnlyList<string> Properties);
