using System.Globalization;
using EmailMonitor.Storage;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Cluster;

/// <summary>
/// The mailbox leases and the instances alive, in the shared database. Each take-over of a lease
/// raises its token, the fencing token every checkpoint of the new owner carries (see
/// <see cref="Pipeline.SourceCheckpoint.Fence"/>). Every time is the database server's clock, so
/// instances whose clocks disagree still agree on when a lease runs out.
/// </summary>
internal sealed class MailboxLeases(Database database, ClusterMessages messages, IOptions<ClusterOptions> options)
{
    public string Instance { get; } = options.Value.ResolvedInstanceId;

    private string Now => database.Sql.NowMilliseconds;

    private long DurationMilliseconds => (long)options.Value.LeaseDuration.TotalMilliseconds;

    /// <summary>
    /// Says this process is alive; returns how many instances are (itself included), and whether
    /// another process has been alive under this INSTANCE_ID since the last heartbeat.
    /// </summary>
    public async Task<(int Alive, bool Twin)> HeartbeatAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var twin = false;
        await using (var previous = connection.Command($"SELECT incarnation, seen_at > {Now} - @recent FROM instances WHERE id = @id"))
        {
            previous.AddText("@id", Instance);
            previous.AddInt64("@recent", (long)options.Value.LeaseRenewal.TotalMilliseconds * 2);
            await using var reader = await previous.ExecuteReaderAsync(cancellationToken);
            twin = await reader.ReadAsync(cancellationToken) && reader.GetString(0) != messages.Sender && Convert.ToBoolean(reader.GetValue(1), CultureInfo.InvariantCulture);
        }

        await using (var beat = connection.Command($"""
            INSERT INTO instances (id, incarnation, seen_at) VALUES (@id, @incarnation, {Now})
            ON CONFLICT (id) DO UPDATE SET incarnation = excluded.incarnation, seen_at = excluded.seen_at
            """))
        {
            beat.AddText("@id", Instance);
            beat.AddText("@incarnation", messages.Sender);
            await beat.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var alive = connection.Command($"SELECT count(*) FROM instances WHERE seen_at > {Now} - @duration");
        alive.AddInt64("@duration", DurationMilliseconds);
        return (Math.Max(1, Convert.ToInt32(await alive.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture)), twin);
    }

    /// <summary>Extends every lease this instance holds; returns them (mailbox → token). One missing has passed on.</summary>
    public async Task<IReadOnlyDictionary<string, long>> RenewAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"UPDATE mailbox_leases SET expires_at = {Now} + @duration WHERE owner = @owner RETURNING mailbox, token");
        command.AddInt64("@duration", DurationMilliseconds);
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
        await using var command = connection.Command($"""
            INSERT INTO mailbox_leases (mailbox, owner, token, expires_at) VALUES (@mailbox, @owner, 1, {Now} + @duration)
            ON CONFLICT (mailbox) DO UPDATE SET owner = excluded.owner, token = mailbox_leases.token + 1, expires_at = excluded.expires_at, folders = '[]'
            WHERE mailbox_leases.expires_at < {Now}
            RETURNING token
            """);
        command.AddText("@mailbox", mailbox);
        command.AddText("@owner", Instance);
        command.AddInt64("@duration", DurationMilliseconds);
        return await ScalarAsync(command, cancellationToken);
    }

    /// <summary>
    /// Takes over, with a new token, a lease held under this instance's name that this process does
    /// not run: left by an earlier run with the same INSTANCE_ID (a restart, a crash), or let go
    /// while renewing failed. The new token fences whatever was still in hand under the old one.
    /// </summary>
    public async Task<long?> AdoptAsync(string mailbox, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"""
            UPDATE mailbox_leases SET token = token + 1, expires_at = {Now} + @duration, folders = '[]' WHERE mailbox = @mailbox AND owner = @owner
            RETURNING token
            """);
        command.AddText("@mailbox", mailbox);
        command.AddText("@owner", Instance);
        command.AddInt64("@duration", DurationMilliseconds);
        return await ScalarAsync(command, cancellationToken);
    }

    /// <summary>Gives a lease back (its sources already stopped), so another instance takes it at once; all of them when none is named.</summary>
    public async Task ReleaseAsync(string? mailbox, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // The owner is cleared too: a renewal must not pick the lease up again.
        await using var command = connection.Command(
            "UPDATE mailbox_leases SET owner = '', expires_at = 0 WHERE owner = @owner" + (mailbox is null ? string.Empty : " AND mailbox = @mailbox"));
        command.AddText("@owner", Instance);
        if (mailbox is not null)
        {
            command.AddText("@mailbox", mailbox);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Removes this process from the living, as it shuts down.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("DELETE FROM instances WHERE id = @id AND incarnation = @incarnation");
        command.AddText("@id", Instance);
        command.AddText("@incarnation", messages.Sender);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Who holds each lease that has not run out, with the folders as the holder reported them.</summary>
    public async Task<IReadOnlyDictionary<string, MailboxWatcher>> OwnersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT mailbox, owner, folders FROM mailbox_leases WHERE expires_at >= {Now} AND owner <> ''");
        var owners = new Dictionary<string, MailboxWatcher>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var mailbox = reader.GetString(0);
            owners[mailbox] = new MailboxWatcher(reader.GetString(1), MailboxWatcher.Read(mailbox, reader.GetString(2)));
        }

        return owners;
    }

    /// <summary>Reports the folders of a mailbox this instance holds (under <paramref name="token"/>, so a former holder's report never lands).</summary>
    public async Task ReportAsync(string mailbox, long token, string report, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("UPDATE mailbox_leases SET folders = @folders WHERE mailbox = @mailbox AND owner = @owner AND token = @token");
        command.AddText("@folders", report);
        command.AddText("@mailbox", mailbox);
        command.AddText("@owner", Instance);
        command.AddInt64("@token", token);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<long?> ScalarAsync(System.Data.Common.DbCommand command, CancellationToken cancellationToken) =>
        await command.ExecuteScalarAsync(cancellationToken) is { } value and not DBNull ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : null;
}
