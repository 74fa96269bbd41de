namespace EmailMonitor.Plugins;

/// <summary>
/// Acts on each event once it is stored: open a ticket, copy it somewhere, count it. Called on the
/// instance that stored the event, after the commit, one event at a time, within the service's
/// time bound per call. Best effort: an event stored in the moment before a crash may not be handed
/// over, and a plugin that falls far behind (256 commits) misses the oldest; use a webhook where
/// every event must arrive. A class that is both a judge and a handler is called from two loops at
/// once and must be safe for that.
/// </summary>
public interface IStoredEventHandler : IEmailPlugin
{
    ValueTask OnStoredAsync(StoredEmail stored, CancellationToken cancellationToken);
}
