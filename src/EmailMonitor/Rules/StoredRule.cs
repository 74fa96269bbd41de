namespace EmailMonitor.Rules;

/// <summary>A rule as stored: its id, what it says, and when it was made and last changed.</summary>
internal sealed record StoredRule(long Id, RuleDefinition Definition, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
