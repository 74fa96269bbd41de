using System.Globalization;
using EmailMonitor.Cluster;
using EmailMonitor.Storage;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Alerts;

/// <summary>
/// The alerts' state in the service's database (either engine): a cursor over the event log moved
/// in the same transaction as the risky events it queues, so a crash loses none, and a claim (on
/// the database's clock) so that of several instances one sends each alert.
/// </summary>
internal sealed class AlertStore(Database database, IOptions<ClusterOptions> cluster)
{
    /// <summary>
    /// Where the reader of the log starts. Alerts turned on after being off start at the log's end
    /// (no digest of what arrived while they were off); turned off, the state says so for next time.
    /// </summary>
    public async Task<long> StartAsync(bool enabled, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.Sql.BeginWriteAsync(connection, cancellationToken);
        long cursor;
        bool wasEnabled;
        await using (var select = connection.Command($"SELECT cursor, enabled FROM alert_state{database.Sql.ForUpdate}", transaction))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            cursor = reader.GetInt64(0);
            wasEnabled = reader.GetInt64(1) != 0;
        }

        if (enabled && !wasEnabled)
        {
            await using var start = connection.Command(
                "UPDATE alert_state SET enabled = 1, cursor = (SELECT coalesce(max(event_id), 0) FROM events) RETURNING cursor", transaction);
            cursor = Convert.ToInt64(await start.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            await connection.ExecuteAsync("DELETE FROM alert_queue", cancellationToken, transaction);
        }
        else if (!enabled)
        {
            await connection.ExecuteAsync("UPDATE alert_state SET enabled = 0", cancellationToken, transaction);
            await using var end = connection.Command("SELECT coalesce(max(event_id), 0) FROM events", transaction);
            cursor = Convert.ToInt64(await end.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }

        await transaction.CommitAsync(cancellationToken);
        return cursor;
    }

    /// <summary>Queues <paramref name="risky"/> and moves the cursor to <paramref name="through"/>, once, whichever instance comes first.</summary>
    public async Task<int> EnqueueAsync(IReadOnlyList<long> risky, long through, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.Sql.BeginWriteAsync(connection, cancellationToken);
        long cursor;
        await using (var select = connection.Command($"SELECT cursor FROM alert_state{database.Sql.ForUpdate}", transaction))
        {
            cursor = Convert.ToInt64(await select.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }

        if (cursor >= through)
        {
            return 0;
        }

        var added = 0;
        var fresh = risky.Where(id => id > cursor).ToList();
        if (fresh.Count > 0)
        {
            // Event ids are numbers from the log, inlined.
            added = await connection.ExecuteAsync(
                $"INSERT INTO alert_queue (event_id) VALUES {string.Join(", ", fresh.Select(id => $"({id.ToString(CultureInfo.InvariantCulture)})"))} ON CONFLICT (event_id) DO NOTHING",
                cancellationToken,
                transaction);
        }

        await using (var advance = connection.Command("UPDATE alert_state SET cursor = @through", transaction))
        {
            advance.AddInt64("@through", through);
            await advance.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return added;
    }

    /// <summary>
    /// Takes the right to send for <paramref name="hold"/>, unless another instance holds it; returns
    /// the database's time now and when the last alert went (Unix milliseconds).
    /// </summary>
    public async Task<AlertClaim?> TryClaimAsync(TimeSpan hold, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"""
            UPDATE alert_state SET claimed_until = {database.Sql.NowMilliseconds} + @hold, claimed_by = @instance
            WHERE claimed_until < {database.Sql.NowMilliseconds}
            RETURNING claimed_until - @hold, last_sent_at
            """);
        command.AddInt64("@hold", (long)hold.TotalMilliseconds);
        command.AddText("@instance", cluster.Value.ResolvedInstanceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new AlertClaim(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1))
            : null;
    }

    /// <summary>What the next alert holds: how many events wait (whose events still exist), the last of them, and the first <paramref name="listed"/>.</summary>
    public async Task<PendingAlerts> PendingAsync(int listed, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        long through;
        await using (var last = connection.Command("SELECT coalesce(max(event_id), 0) FROM alert_queue"))
        {
            through = Convert.ToInt64(await last.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }

        long count;
        await using (var counting = connection.Command("SELECT count(*) FROM alert_queue q JOIN events e ON e.event_id = q.event_id WHERE q.event_id <= @through"))
        {
            counting.AddInt64("@through", through);
            count = Convert.ToInt64(await counting.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }

        var events = new List<StoredEvent>();
        await using (var select = connection.Command("""
            SELECT e.event_id, e.mailbox, e.payload FROM alert_queue q JOIN events e ON e.event_id = q.event_id
            WHERE q.event_id <= @through ORDER BY q.event_id LIMIT @limit
            """))
        {
            select.AddInt64("@through", through);
            select.AddInt64("@limit", listed);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                events.Add(new StoredEvent(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        return new PendingAlerts(count, through, events);
    }

    /// <summary>Records an alert sent: what it covered leaves the queue, and the claim is let go.</summary>
    public async Task SentAsync(long through, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.Sql.BeginWriteAsync(connection, cancellationToken);
        await using (var delete = connection.Command("DELETE FROM alert_queue WHERE event_id <= @through", transaction))
        {
            delete.AddInt64("@through", through);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        // The time is recorded whoever holds the claim now (a retry after a failed record may find it
        // released): the next alert waits its interval either way. The claim is let go only if ours.
        await using (var sent = connection.Command(
            $"""
            UPDATE alert_state SET last_sent_at = {database.Sql.NowMilliseconds};
            UPDATE alert_state SET claimed_until = 0, claimed_by = NULL WHERE claimed_by = @instance;
            """,
            transaction))
        {
            sent.AddText("@instance", cluster.Value.ResolvedInstanceId);
            await sent.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Drops what was queued through <paramref name="through"/> without sending (its events are gone) and lets the claim go.</summary>
    public async Task DiscardAsync(long through, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var delete = connection.Command("DELETE FROM alert_queue WHERE event_id <= @through");
        delete.AddInt64("@through", through);
        await delete.ExecuteNonQueryAsync(cancellationToken);
        await ReleaseAsync(cancellationToken);
    }

    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var release = connection.Command("UPDATE alert_state SET claimed_until = 0, claimed_by = NULL WHERE claimed_by = @instance");
        release.AddText("@instance", cluster.Value.ResolvedInstanceId);
        await release.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>The right to send, taken at <paramref name="Now"/>; <paramref name="LastSentAt"/> null before the first alert.</summary>
internal sealed record AlertClaim(long Now, long? LastSentAt);

/// <summary>The events an alert covers: <paramref name="Count"/> of them through event <paramref name="Through"/>, the first few listed.</summary>
internal sealed record PendingAlerts(long Count, long Through, IReadOnlyList<StoredEvent> Listed);
