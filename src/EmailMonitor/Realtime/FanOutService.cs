using System.Threading.Channels;
using EmailMonitor.Storage;

namespace EmailMonitor.Realtime;

/// <summary>Hands each committed event, in event_id order, to every connection.</summary>
internal sealed class FanOutService(ChannelReader<StoredEvent> committed, ConnectionRegistry connections) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var stored in committed.ReadAllAsync(stoppingToken))
        {
            connections.Publish(stored);
        }
    }
}
