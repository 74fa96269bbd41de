using System.Text.RegularExpressions;
using EmailMonitor.Analysis;

namespace EmailMonitor.Rules;

/// <summary>A stored rule ready to run: its subject pattern compiled once, not per email.</summary>
internal sealed class CompiledRule(StoredRule stored)
{
    private readonly Regex? _subject = stored.Definition.Match.Subject is { } pattern ? RuleSubject.Compile(pattern) : null;
    private readonly string[] _domains = [.. (stored.Definition.Match.SenderDomains ?? []).Select(RuleText.Domain)];

    public long Id => stored.Id;

    public RuleDefinition Definition => stored.Definition;

    /// <summary>Whether the subject pattern runs on the backtracking engine, whose time only the match timeout bounds.</summary>
    public bool Backtracks => _subject is not null && (_subject.Options & RegexOptions.NonBacktracking) == 0;

    /// <summary>
    /// Whether every condition holds for <paramref name="email"/>, with the <paramref name="tags"/> and
    /// <paramref name="score"/> the rules before this one left, its <paramref name="subject"/> and
    /// <paramref name="senderDomain"/> in <see cref="RuleText"/>'s forms. An empty list is no
    /// condition, as in a webhook's filters. Throws <see cref="RegexMatchTimeoutException"/> when the
    /// subject pattern runs long.
    /// </summary>
    public bool Matches(EmailEvent email, string subject, string senderDomain, IReadOnlyCollection<string> tags, int score)
    {
        var match = stored.Definition.Match;
        return (match.Senders is not { Count: > 0 } senders || senders.Contains(email.Sender, StringComparer.OrdinalIgnoreCase))
            && (_domains.Length == 0 || _domains.Any(domain => IsWithin(senderDomain, domain)))
            && (match.Flags is not { Count: > 0 } flags || flags.Any(email.SecurityFlags.Contains))
            && (match.MinRiskScore is not { } min || score >= min)
            && (match.MaxRiskScore is not { } max || score <= max)
            && (match.AttachmentTypes is not { Count: > 0 } types || email.Attachments.Any(a => types.Any(type => AttachmentType.Matches(type, a))))
            && (match.Mailboxes is not { Count: > 0 } mailboxes || mailboxes.Contains(email.Mailbox, StringComparer.Ordinal))
            && (match.Tags is not { Count: > 0 } wanted || wanted.Any(tags.Contains))
            // Last: the one condition that costs more than a comparison.
            && (_subject is null || _subject.IsMatch(subject));
    }

    private static bool IsWithin(string senderDomain, string domain) =>
        senderDomain.Length > 0
        && (senderDomain == domain
            || (senderDomain.Length > domain.Length
                && senderDomain.EndsWith(domain, StringComparison.Ordinal)
                && senderDomain[senderDomain.Length - domain.Length - 1] == '.'));
}
