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

    // Blocks and lifts made here or heard of from another instance lately: a reload must not undo
    // them (one made here may still be on its way to the database; one heard of may have been made
    // after the reload read it).
    private readonly ConcurrentDictionary<IPAddress, DateTimeOffset> _changedLately = new();

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
        ChangedLately(block.Address, now);
        changes.TryWrite(new BlockChange(block.Address, block));
        Blocked?.Invoke(block.Address);
        ChangedHere?.Invoke(new BlockChange(block.Address, block));
    }

    /// <summary>A block or lift another instance made (and stored): applied here, not stored again.</summary>
    public void Apply(BlockChange change)
    {
        ChangedLately(change.Address, time.GetUtcNow());
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
        ChangedLately(key, time.GetUtcNow());
        changes.TryWrite(new BlockChange(key, null));
        ChangedHere?.Invoke(new BlockChange(key, null));
        return removed;
    }

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        foreach (var block in await ReadStoredAsync(cancellationToken))
        {
            _blocks[block.Address] = block;
        }
    }

    /// <summary>
    /// Makes the blocks in force here those in the database, for when blocks and lifts made on other
    /// instances may not have reached this one (Redis was out of reach). A block or lift made here or
    /// heard of in the last <paramref name="settling"/> stands whatever the database says.
    /// </summary>
    /// <returns>How many blocks were put into force here, and how many lifted.</returns>
    public async Task<(int Blocked, int Lifted)> ReloadAsync(TimeSpan settling, CancellationToken cancellationToken)
    {
        var (blocked, lifted) = (0, 0);
        var stored = new Dictionary<IPAddress, IpBlock>();
        foreach (var block in await ReadStoredAsync(cancellationToken))
        {
            // Rows stored before clients were keyed by /64 may share a key now: the longest block stands.
            if (!stored.TryGetValue(block.Address, out var other) || other.ExpiresAt < block.ExpiresAt)
            {
                stored[block.Address] = block;
            }
        }

        var settledBefore = time.GetUtcNow() - settling;
        foreach (var (address, changedAt) in _changedLately)
        {
            if (changedAt < settledBefore)
            {
                _changedLately.TryRemove(KeyValuePair.Create(address, changedAt));
            }
        }

        foreach (var (address, block) in _blocks)
        {
            if (!stored.ContainsKey(address) && !_changedLately.ContainsKey(address) && _blocks.TryRemove(KeyValuePair.Create(address, block)))
            {
                lifted++;
            }
        }

        foreach (var (address, block) in stored)
        {
            if (!_changedLately.ContainsKey(address) && !_blocks.ContainsKey(address))
            {
                _blocks[address] = block;
                Blocked?.Invoke(address);
                blocked++;
            }
        }

        return (blocked, lifted);
    }

    private void ChangedLately(IPAddress address, DateTimeOffset at)
    {
        if (_changedLately.Count > 10_000)
        {
            // Only a reload forgets them otherwise, and a single instance never reloads.
            _changedLately.Clear();
        }

        _changedLately[address] = at;
    }

    private async Task<List<IpBlock>> ReadStoredAsync(CancellationToken cancellationToken)
    {
        var blocks = new List<IpBlock>();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT ip, reason, blocked_at, expires_at FROM ip_blocks WHERE expires_at > @now";
        command.AddText("@now", StoredTime.Format(time.GetUtcNow()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // Keyed as clients are now, whatever version stored it.
            blocks.Add(new IpBlock(
                NetworkRules.ClientKey(IPAddress.Parse(reader.GetString(0))), reader.GetString(1), StoredTime.Parse(reader.GetString(2)), StoredTime.Parse(reader.GetString(3))));
        }

        return blocks;
    }
}

/// <summary>A block to store, or (with no block) one to delete.</summary>
internal sealed record BlockChange(IPAddress Address, IpBlock? Block);
