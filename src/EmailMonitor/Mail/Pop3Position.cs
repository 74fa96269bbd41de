using System.Collections.Immutable;
using EmailMonitor.Pipeline;

namespace EmailMonitor.Mail;

/// <summary>
/// How far a POP3 maildrop has been read: the UIDLs of the messages already handed over that were
/// still on the server at the last look. Messages that leave the server leave the set, so it
/// never holds more than the maildrop does.
/// </summary>
internal sealed record Pop3Position(ImmutableHashSet<string> Seen) : ISourcePosition
{
    public static Pop3Position Empty { get; } = new(ImmutableHashSet<string>.Empty.WithComparer(StringComparer.Ordinal));

    // A UIDL is 1 to 70 printable characters without spaces (RFC 1939 §7), so a space separates them.
    public string Serialize() => string.Join(' ', Seen.Order(StringComparer.Ordinal));

    public static Pop3Position Parse(string value) =>
        new(value.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToImmutableHashSet(StringComparer.Ordinal));

    public Pop3Position With(string uidl) => new(Seen.Add(uidl));

    /// <summary>Forgets the messages no longer on the server.</summary>
    public Pop3Position KeepOnly(IReadOnlySet<string> onServer) => new(Seen.Intersect(onServer));
}
