using EmailMonitor.Analysis;

namespace EmailMonitor.Rules;

/// <summary>
/// What the rules made of one email: the event as it will be stored (tags and score changed), the
/// webhooks it is routed to, and the rule that suppressed it, if one did.
/// </summary>
internal sealed record RuleOutcome(EmailEvent Event, IReadOnlyList<long> Routes, IReadOnlyList<long> Matched, long? SuppressedBy);
