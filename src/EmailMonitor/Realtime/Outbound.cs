using System.Net.WebSockets;

namespace EmailMonitor.Realtime;

/// <summary>Work for a connection's single sender, in the order it must happen.</summary>
internal abstract record Outbound;

/// <summary>A frame to send; an event frame carries its id, so it is never sent twice, and its mailbox, so only those who may see it get it.</summary>
internal sealed record OutboundFrame(byte[] Bytes, long? EventId = null, string? Mailbox = null) : Outbound;

/// <summary>Send every stored event after <see cref="AfterEventId"/> not yet sent, then <c>resume_complete</c>.</summary>
internal sealed record OutboundReplay(long AfterEventId) : Outbound;

/// <summary>Send a close frame and stop sending.</summary>
internal sealed record OutboundClose(WebSocketCloseStatus Status, string Reason) : Outbound;
