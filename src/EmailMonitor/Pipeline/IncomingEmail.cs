using System.Diagnostics;
using EmailMonitor.Analysis;

namespace EmailMonitor.Pipeline;

/// <summary>A message's bytes as a source fetched them, where they came from, and the checkpoint they advance.</summary>
internal sealed record IncomingEmail(EmailOrigin Origin, RawContent Content, SourceCheckpoint Checkpoint)
{
    /// <summary>The email's trace (its fetch span), for the stages after this one; default when not traced.</summary>
    public ActivityContext Trace { get; init; }
}
