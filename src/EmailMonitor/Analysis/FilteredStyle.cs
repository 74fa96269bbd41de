namespace EmailMonitor.Analysis;

/// <summary>A style attribute after filtering, and what the filter found in it.</summary>
internal sealed record FilteredStyle(string Css, bool ActiveContentRemoved, bool RemoteContentFound);
