using System.Text.Json;
using System.Threading.Channels;
using EmailMonitor.Analysis;
using EmailMonitor.Plugins;
using EmailMonitor.Storage;

namespace EmailMonitor.PluginHost;

/// <summary>
/// Hands each event this instance stored to every <see cref="IStoredEventHandler"/> plugin, after
/// the commit, off the storage path: the events come from the commit log's announcements, whose
/// queue drops the oldest when a slow plugin falls far behind (256 commits). Events other
/// instances stored are theirs to hand over.
/// </summary>
internal sealed class StoredEventHandlers(CommitLog log, PluginCatalog catalog, PluginCalls calls) : BackgroundService
{
    private ChannelReader<CommittedEvents>? _commits;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (catalog.Handlers.Count > 0)
        {
            _commits = log.Subscribe();
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_commits is not { } commits)
        {
            return;
        }

        try
        {
            await foreach (var committed in commits.ReadAllAsync(stoppingToken))
            {
                if (!committed.Local || committed.IsNotice)
                {
                    continue;
                }

                foreach (var stored in committed.Events)
                {
                    if (Read(stored) is { } email)
                    {
                        var facts = new StoredEmail(stored.EventId, PluginFacts.Of(email));
                        foreach (var handler in catalog.Handlers)
                        {
                            await calls.CallAsync<IStoredEventHandler, object>(
                                handler, async (plugin, token) => { await plugin.OnStoredAsync(facts, token); return facts; }, $"event {stored.EventId}", stoppingToken);
                        }
                    }
                }
            }
        }
        finally
        {
            log.Unsubscribe(commits);
        }
    }

    private static EmailEvent? Read(StoredEvent stored)
    {
        try
        {
            return JsonSerializer.Deserialize(stored.Payload, EmailEventJson.Wire.EmailEvent);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
