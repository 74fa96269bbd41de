namespace EmailMonitor.Analysis;

/// <summary>HTML made safe to render, its plain-text reading, and what had to be taken out.</summary>
internal sealed record SanitizedHtml(string Html, string Text, bool ActiveContentRemoved, bool RemoteContentFound);
