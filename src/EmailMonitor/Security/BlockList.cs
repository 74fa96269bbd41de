using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using EmailMonitor.Storage;

namespace EmailMonitor.Security;

/// <summary>
/// Clients (an IPv4 address or an IPv6 /64, see <see cref="NetworkRules.ClientKey"/>) blocked for a
/// while, automatically or by an administrator. Checks are in memory; every
/// change is also written to the database (by <see cref="BlockListWriter"/>), so a restart does
/// not forgive, and loaded back at start-up.
/// </summary>
internal sealed class BlockList(Database database, ChannelWriter<BlockChange> changes, TimeProvider time)
{
    private readonly ConcurrentDictionary<IPAddress, IpBlock> _blocks = new();

    /// <summary>Raised when an address is blocked (here or, through <see cref="Apply"/>, on another instance), so its open connections can be closed.</summary>
    public event Action<IPAddress>? Blocked;

    /// <summary>Raised for each block or lift made by this instance, for the other instances to apply.</summary>
    public event Action<BlockChange>? ChangedHere;

    public int Count => Active().Count;

    public IpBlock? Find(IPAddress address)
    {
        var key = NetworkRules.ClientKey(address);
        if (!_blocks.TryGetValue(key, out var block))
        {
            return null;
        }

        if (block.ExpiresAt > time.GetUtcNow())
        {
            return block;
        }

        _blocks.TryRemove(KeyValuePair.Create(key, block));
        return null;
    }

    public IReadOnlyList<IpBlock> Active()
    {
        var now = time.GetUtcNow();
        return [.. _blocks.Values.Where(b => b.ExpiresAt > now).OrderBy(b => b.BlockedAt)];
    }

    public void Block(IPAddress address, string reason, TimeSpan duration)
    {
        var now = time.GetUtcNow();
        var block = new IpBlock(NetworkRules.ClientKey(address), reason, now, now + duration);
        _blocks[block.Address] = block;
        changes.TryWrite(new BlockChange(block.Address, block));
        Blocked?.Invoke(block.Address);
        ChangedHere?.Invoke(new BlockChange(block.Address, block));
    }

    /// <summary>A block or lift another instance made (and stored): applied here, not stored again.</summary>
    public void Apply(BlockChange change)
    {
        if (change.Block is { } block)
        {
            _blocks[change.Address] = block;
            Blocked?.Invoke(change.Address);
        }
        else
        {
            _blocks.TryRemove(change.Address, out _);
        }
    }

    public bool Lift(IPAddress address)
    {
        var key = NetworkRules.ClientKey(address);
        var removed = _blocks.TryRemove(key, out _);
        changes.TryWrite(new BlockChange(key, null));
        ChangedHere?.Invoke(new BlockChange(key, null));
        return removed;
    }

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT ip, reason, blocked_at, expires_at FROM ip_blocks WHERE expires_at > @now";
        command.AddText("@now", StoredTime.Format(time.GetUtcNow()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // Keyed as clients are now, whatever version stored it.
            var block = new IpBlock(
                NetworkRules.ClientKey(IPAddress.Parse(reader.GetString(0))), reader.GetString(1), StoredTime.Parse(reader.GetString(2)), StoredTime.Parse(reader.GetString(3)));
            _blocks[block.Address] = block;
        }
    }
}

/// <summary>A block to store, or (with no block) one to delete.</summary>
internal sealed record BlockChange(IPAddress Address, IpBlock? Block);
