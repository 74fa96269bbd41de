using System.Globalization;
using System.Text;
using System.Text.Json;
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
internal static class AlertMessages
{
    /// <summary>Emails a digest lists one by one; the rest are counted.</summary>
    public const int Listed = 50;

    private const int MaxShown = 120;

    public static MimeMessage Compose(AlertOptions options, PendingAlerts pending, DateTimeOffset since)
    {
        var events = pending.Listed.Select(Read).ToList();
        var message = new MimeMessage();
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
        text.Append(CultureInfo.InvariantCulture, $"From:        {Shown(email.SenderName, 80)} <{Shown(email.Sender, 80)}>\n");
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
                $"Attachment:  {Shown(attachment.Filename, 80)} ({attachment.DetectedType}, {attachment.Size} bytes, SHA-256 {attachment.Sha256}){(attachment.Flags.Count > 0 ? " " + string.Join(", ", attachment.Flags) : string.Empty)}\n");
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

    private static string Shown(string value, int max)
    {
        var clean = new string([.. value.Where(c => !char.IsControl(c) && c is not ('\u202A' or '\u202B' or '\u202C' or '\u202D' or '\u202E' or '\u2066' or '\u2067' or '\u2068' or '\u2069'))]);
        return clean.Length <= max ? clean : clean[..max] + "…";
    }
}
