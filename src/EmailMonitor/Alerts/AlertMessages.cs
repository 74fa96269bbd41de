using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EmailMonitor.Analysis;
using EmailMonitor.Storage;
using MimeKit;

namespace EmailMonitor.Alerts;

/// <summary>
/// The alert e-mails: one email described when one waits, a digest listing them when a wave has
/// gathered. Plain text only, and never the email's body, HTML or attachments: the alert must not
/// carry the attack it reports. What the sender controls (subject, names, file names) is shown
/// without control characters and cut short.
/// </summary>
internal static partial class AlertMessages
{
    /// <summary>Emails a digest lists one by one; the rest are counted.</summary>
    public const int Listed = 50;

    private const int MaxShown = 120;

    public static MimeMessage Compose(AlertOptions options, PendingAlerts pending, DateTimeOffset? lastSent)
    {
        var events = pending.Listed.Select(Read).ToList();
        // Before the first alert ever, the wave began with its first email.
        var since = lastSent
            ?? (events.Count > 0 && DateTimeOffset.TryParse(events[0].Email.ReceivedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var first) ? first : DateTimeOffset.UtcNow);
        var message = new MimeMessage();
        // The same alert sent again (recorded too late after a crash) has the same id: mail clients show it once.
        var domain = options.From[(options.From.LastIndexOf('@') + 1)..];
        message.MessageId = $"alert-{(events.Count > 0 ? events[0].EventId : 0)}-{pending.Through}@{domain}";
        message.From.Add(MailboxAddress.Parse(options.From));
        message.To.AddRange(options.To.Select(MailboxAddress.Parse));
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Headers.Add("X-Auto-Response-Suppress", "All");
        var text = new StringBuilder();
        if (pending.Count == 1 && events.Count == 1)
        {
            var (eventId, email) = events[0];
            message.Subject = $"[Email Monitor] risk {email.RiskScore}: {Shown(email.Subject, 80)}";
            text.Append(CultureInfo.InvariantCulture, $"An email with risk score {email.RiskScore} (alerts start at {options.MinRiskScore}) arrived.\n\n");
            Describe(text, eventId, email);
        }
        else
        {
            message.Subject = $"[Email Monitor] {pending.Count} risky emails since {since.UtcDateTime:yyyy-MM-dd HH:mm} UTC";
            text.Append(CultureInfo.InvariantCulture, $"{pending.Count} emails with a risk score of {options.MinRiskScore} or more arrived since {since.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC.\n");
            text.Append(CultureInfo.InvariantCulture, $"Alerts are gathered into one e-mail every {options.Interval.TotalSeconds:0} seconds at most.\n\n");
            foreach (var (eventId, email) in events)
            {
                text.Append(CultureInfo.InvariantCulture, $"risk {email.RiskScore,3}  {email.ReceivedAt}  {Shown(email.Mailbox, 40)}/{Shown(email.Folder, 40)}  event {eventId}\n");
                text.Append(CultureInfo.InvariantCulture, $"          from {Shown(email.Sender, 80)}: {Shown(email.Subject, 80)}\n");
                text.Append(CultureInfo.InvariantCulture, $"          {Flags(email)}\n");
            }

            if (pending.Count > events.Count)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n… and {pending.Count - events.Count} more.\n");
            }
        }

        text.Append("\nOpen the Email Monitor dashboard to look at them. This message holds no part of the emails' content.\n");
        message.Body = new TextPart("plain") { Text = text.ToString() };
        return message;
    }

    private static void Describe(StringBuilder text, long eventId, EmailEvent email)
    {
        text.Append(CultureInfo.InvariantCulture, $"From:        \"{Shown(email.SenderName, 80).Replace("\"", "'", StringComparison.Ordinal)}\" <{Shown(email.Sender, 80)}>\n");
        text.Append(CultureInfo.InvariantCulture, $"Subject:     {Shown(email.Subject, MaxShown)}\n");
        text.Append(CultureInfo.InvariantCulture, $"Mailbox:     {Shown(email.Mailbox, 60)}, folder {Shown(email.Folder, 60)}\n");
        text.Append(CultureInfo.InvariantCulture, $"Received:    {email.ReceivedAt}\n");
        text.Append(CultureInfo.InvariantCulture, $"Flags:       {Flags(email)}\n");
        if (email.Tags.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"Tags:        {string.Join(", ", email.Tags)}\n");
        }

        foreach (var attachment in email.Attachments.Take(10))
        {
            text.Append(CultureInfo.InvariantCulture,
                $"Attachment:  {ShownName(attachment.Filename, 80)} ({attachment.DetectedType}, {attachment.Size} bytes, SHA-256 {attachment.Sha256}){(attachment.Flags.Count > 0 ? " " + string.Join(", ", attachment.Flags) : string.Empty)}\n");
        }

        if (email.Attachments.Count > 10)
        {
            text.Append(CultureInfo.InvariantCulture, $"             … and {email.Attachments.Count - 10} more attachments\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"Event:       {eventId} (message {Shown(email.Id, MaxShown)})\n");
    }

    private static string Flags(EmailEvent email) =>
        email.SecurityFlags.Count == 0 ? "no flags (scored by a rule)" : string.Join(", ", email.SecurityFlags);

    private static (long EventId, EmailEvent Email) Read(StoredEvent stored)
    {
        try
        {
            return (stored.EventId, JsonSerializer.Deserialize(stored.Payload, EmailEventJson.Wire.EmailEvent)!);
        }
        catch (JsonException)
        {
            // Stored by this service, so not expected; the alert still says an event is there.
            return (stored.EventId, new EmailEvent { Id = "(unreadable)", ReceivedAt = string.Empty, Mailbox = stored.Mailbox, Folder = string.Empty });
        }
    }

    // What the sender wrote, made inert: no control, format (bidi, zero-width) or line-separator
    // characters, runs of space as one, links and host names defanged (hxxps://evil[.]example) so
    // no mail client makes them clickable, and cut short.
    private static string Shown(string value, int max)
    {
        var visible = Visible(value);
        visible = HostName().Replace(Scheme().Replace(visible, "hxxp$1"), match => match.Value.Replace(".", "[.]", StringComparison.Ordinal));
        return visible.Length <= max ? visible : Cut(visible, max) + "…";
    }

    // Never between the two halves of a surrogate pair (an emoji), which would show as "�".
    private static string Cut(string text, int length) =>
        char.IsHighSurrogate(text[length - 1]) ? text[..(length - 1)] : text[..length];

    private static string CutEnd(string text, int length) =>
        char.IsLowSurrogate(text[^length]) ? text[^(length - 1)..] : text[^length..];

    // A file name is cut in the middle, so the extension that matters survives: "invoice.pdf … .exe".
    private static string ShownName(string value, int max)
    {
        var visible = Visible(value);
        return visible.Length <= max ? visible : Cut(visible, max / 2) + " … " + CutEnd(visible, max / 2);
    }

    private static string Visible(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                if (builder.Length > 0 && builder[^1] != ' ')
                {
                    builder.Append(' ');
                }

                continue;
            }

            builder.Append(c);
        }

        return builder.ToString().Trim();
    }

    [GeneratedRegex("(?i)\\bhttp(s?)(?=://)", RegexOptions.CultureInvariant)]
    private static partial Regex Scheme();

    // Names with a dot between labels and a top-level label of letters, as mail clients link them.
    [GeneratedRegex("(?i)\\b(?:[a-z0-9-]+\\.)+[a-z]{2,}\\b", RegexOptions.CultureInvariant)]
    private static partial Regex HostName();
}
