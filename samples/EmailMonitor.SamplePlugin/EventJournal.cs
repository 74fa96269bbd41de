using System.Text.Json;
using EmailMonitor.Plugins;

namespace EmailMonitor.SamplePlugin;

/// <summary>
/// Writes one JSON line per stored event to <c>journal.jsonl</c> in the plugin's data directory:
/// the shape of a plugin that hands events to another system (a ticket queue, a SIEM's file input).
/// </summary>
public sealed class EventJournal(PluginContext context) : IStoredEventHandler
{
    private readonly string _path = Path.Combine(context.DataDirectory, "journal.jsonl");

    public string Name => "event-journal";

    public async ValueTask OnStoredAsync(StoredEmail stored, CancellationToken cancellationToken)
    {
        var line = JsonSerializer.Serialize(new
        {
            event_id = stored.EventId,
            mailbox = stored.Email.Mailbox,
            folder = stored.Email.Folder,
            risk_score = stored.Email.RiskScore,
            security_flags = stored.Email.SecurityFlags,
            tags = stored.Email.Tags,
        });
        await File.AppendAllTextAsync(_path, line + "\n", cancellationToken);
    }
}
