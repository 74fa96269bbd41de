using System.Globalization;
using EmailMonitor.Storage;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Cluster;

/// <summary>
/// The mailbox leases and the instances alive, in the shared database. Each take-over of a lease
/// raises its token, the fencing token every checkpoint of the new owner carries (see
/// <see cref="Pipeline.SourceCheckpoint.Fence"/>). Times are this instance's clock in Unix
/// milliseconds: instances are expected to keep their clocks in step (NTP); a clock that drifts
/// can only make a lease pass early, and the token keeps even that from costing anything.
/// </summary>
internal sealed class MailboxLeases(Database database, IOptions<ClusterOptions> options, TimeProvider time)
{
    public string Instance { get; } = options.Value.ResolvedInstanceId;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    private long Expiry => Now + (long)options.Value.LeaseDuration.TotalMilliseconds;

    /// <summary>Says this instance is alive; returns how many instances are (itself included).</summary>
    public async Task<int> HeartbeatAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using (var beat = connection.Command("""
            INSERT INTO instances (id, seen_at) VALUES (@id, @now)
            ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at
            """))
        {
            beat.AddText("@id", Instance);
            beat.AddInt64("@now", Now);
            await beat.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var alive = connection.Command("SELECT count(*) FROM instances WHERE seen_at > @since");
        alive.AddInt64("@since", Now - (long)options.Value.LeaseDuration.TotalMilliseconds);
        return Math.Max(1, Convert.ToInt32(await alive.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture));
    }

    /// <summary>Extends every lease this instance holds; returns them (mailbox → token). One missing has passed on.</summary>
    public async Task<IReadOnlyDictionary<string, long>> RenewAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("UPDATE mailbox_leases SET expires_at = @expiry WHERE owner = @owner RETURNING mailbox, token");
        command.AddInt64("@expiry", Expiry);
        command.AddText("@owner", Instance);
        var held = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            held[reader.GetString(0)] = reader.GetInt64(1);
        }

        return held;
    }

    /// <summary>Takes a mailbox's lease if nobody holds it or its holder let it run out; returns the new token, or null.</summary>
    public async Task<long?> TryTakeAsync(string mailbox, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            INSERT INTO mailbox_leases (mailbox, owner, token, expires_at) VALUES (@mailbox, @owner, 1, @expiry)
            ON CONFLICT (mailbox) DO UPDATE SET owner = excluded.owner, token = mailbox_leases.token + 1, expires_at = excluded.expires_at
            WHERE mailbox_leases.expires_at < @now
            RETURNING token
            """);
        command.AddText("@mailbox", mailbox);
        command.AddText("@owner", Instance);
        command.AddInt64("@expiry", Expiry);
        command.AddInt64("@now", Now);
        return await command.ExecuteScalarAsync(cancellationToken) is { } token and not DBNull ? Convert.ToInt64(token, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>
    /// Takes over, with a new token, a lease held under this instance's name that this process does
    /// not run: left by an earlier run with the same INSTANCE_ID (a restart, a crash). The new
    /// token fences whatever that run still had in hand. Returns the token, or null if it is gone.
    /// </summary>
    public async Task<long?> AdoptAsync(string mailbox, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            UPDATE mailbox_leases SET token = token + 1, expires_at = @expiry WHERE mailbox = @mailbox AND owner = @owner
            RETURNING token
            """);
        command.AddText("@mailbox", mailbox);
        command.AddText("@owner", Instance);
        command.AddInt64("@expiry", Expiry);
        return await command.ExecuteScalarAsync(cancellationToken) is { } token and not DBNull ? Convert.ToInt64(token, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Gives a lease back (its sources already stopped), so another instance takes it at once.</summary>
    public async Task ReleaseAsync(string? mailbox, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "UPDATE mailbox_leases SET expires_at = 0 WHERE owner = @owner" + (mailbox is null ? string.Empty : " AND mailbox = @mailbox"));
        command.AddText("@owner", Instance);
        if (mailbox is not null)
        {
            command.AddText("@mailbox", mailbox);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Removes this instance from the living, as it shuts down.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("DELETE FROM instances WHERE id = @id");
        command.AddText("@id", Instance);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Who holds each lease that has not run out: mailbox → instance.</summary>
    public async Task<IReadOnlyDictionary<string, string>> OwnersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT mailbox, owner FROM mailbox_leases WHERE expires_at >= @now");
        command.AddInt64("@now", Now);
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            owners[reader.GetString(0)] = reader.GetString(1);
        }

        return owners;
    }
}
