using System.Globalization;
using EmailMonitor.Pipeline;

namespace EmailMonitor.Mail;

/// <summary>How far an IMAP folder has been read: every UID up to <see cref="LastUid"/> under <see cref="UidValidity"/>.</summary>
internal sealed record ImapPosition(uint UidValidity, uint LastUid) : ISourcePosition
{
    public string Serialize() => string.Create(CultureInfo.InvariantCulture, $"{UidValidity}:{LastUid}");

    /// <summary>Reads a stored position back; null when it is not one (it is then started afresh).</summary>
    public static ImapPosition? Parse(string value)
    {
        var parts = value.Split(':');
        return parts.Length == 2
            && uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var uidValidity)
            && uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var lastUid)
            ? new ImapPosition(uidValidity, lastUid)
            : null;
    }
}
