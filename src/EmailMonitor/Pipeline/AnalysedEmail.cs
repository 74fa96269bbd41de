using EmailMonitor.Analysis;

namespace EmailMonitor.Pipeline;

/// <summary>An email's verdict together with the checkpoint its commit advances.</summary>
internal sealed record AnalysedEmail(EmailEvent Event, SourceCheckpoint Checkpoint);
