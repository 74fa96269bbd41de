namespace EmailMonitor.Analysis;

/// <summary>HTML made safe to render, its plain-text reading, what had to be taken out, and whether a link deceives.</summary>
internal sealed record SanitizedHtml(string Html, string Text, bool ActiveContentRemoved, bool RemoteContentFound, bool SuspiciousLink);
