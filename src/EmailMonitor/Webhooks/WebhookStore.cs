using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using EmailMonitor.Cluster;
using EmailMonitor.Mailboxes;
using EmailMonitor.Storage;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Webhooks;

/// <summary>
/// Webhooks, their deliveries and the attempts of each, in the service's database (either engine),
/// so nothing in flight lives only in memory. Signing keys are sealed like mailbox credentials
/// (<see cref="CredentialVault"/>), bound to their webhook.
/// </summary>
internal sealed class WebhookStore(Database database, CredentialVault vault, IOptions<ClusterOptions> cluster, TimeProvider time)
{
    /// <summary>Attempts kept per delivery: the delivery log shows the latest.</summary>
    public const int AttemptsShown = 10;

    public async Task<long> CreateAsync(WebhookSettings settings, byte[] key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.Sql.BeginWriteAsync(connection, cancellationToken);
        // From the end of the log: a new webhook gets what is committed from now on.
        await using var insert = connection.Command(
            "INSERT INTO webhooks (settings, secrets, cursor, created_at) VALUES (@settings, @none, (SELECT coalesce(max(event_id), 0) FROM events), @now) RETURNING id",
            transaction);
        insert.AddText("@settings", settings.ToJson());
        insert.AddBytes("@none", []);
        insert.AddText("@now", StoredTime.Format(time.GetUtcNow()));
        var id = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        await SaveKeysAsync(connection, transaction, id, [new StoredKey(Convert.ToBase64String(key), null)], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return id;
    }

    public async Task<IReadOnlyList<Webhook>> ListAsync(long? id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"""
            SELECT w.id, w.settings, w.created_at, w.last_success_at, w.last_failure_at,
                   (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.state = 'pending'),
                   (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.state = 'dead')
            FROM webhooks w{(id is null ? "" : " WHERE w.id = @id")}
            ORDER BY w.id
            """);
        if (id is not null)
        {
            command.AddInt64("@id", id);
        }

        var webhooks = new List<Webhook>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            webhooks.Add(new Webhook(
                reader.GetInt64(0),
                WebhookSettings.FromJson(reader.GetString(1)),
                StoredTime.Parse(reader.GetString(2)),
                reader.IsDBNull(3) ? null : StoredTime.Parse(reader.GetString(3)),
                reader.IsDBNull(4) ? null : StoredTime.Parse(reader.GetString(4)),
                Convert.ToInt32(reader.GetValue(5), CultureInfo.InvariantCulture),
                Convert.ToInt32(reader.GetValue(6), CultureInfo.InvariantCulture)));
        }

        return webhooks;
    }

    public async Task<Webhook?> FindAsync(long id, CancellationToken cancellationToken) => (await ListAsync(id, cancellationToken)).SingleOrDefault();

    /// <summary>Every webhook's settings alone, without counting its deliveries: what sending needs, often.</summary>
    public async Task<IReadOnlyDictionary<long, WebhookSettings>> SettingsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT id, settings FROM webhooks");
        var settings = new Dictionary<long, WebhookSettings>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            settings[reader.GetInt64(0)] = WebhookSettings.FromJson(reader.GetString(1));
        }

        return settings;
    }

    public async Task<bool> UpdateAsync(long id, WebhookSettings settings, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("UPDATE webhooks SET settings = @settings WHERE id = @id");
        command.AddText("@settings", settings.ToJson());
        command.AddInt64("@id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Removes a webhook with its deliveries and their attempts.</summary>
    public async Task<bool> DeleteAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.Sql.BeginWriteAsync(connection, cancellationToken);
        // The webhook first: that waits for an enqueuer holding its row, whose deliveries then go too.
        await using var delete = connection.Command("DELETE FROM webhooks WHERE id = @id", transaction);
        delete.AddInt64("@id", id);
        var deleted = await delete.ExecuteNonQueryAsync(cancellationToken) == 1;
        await using var command = connection.Command(
            """
            DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE webhook_id = @id);
            DELETE FROM webhook_deliveries WHERE webhook_id = @id;
            """,
            transaction);
        command.AddInt64("@id", id);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    /// <summary>The keys that sign a webhook's deliveries now: the newest, and one being rotated out until its time is up.</summary>
    public async Task<IReadOnlyList<byte[]>> KeysAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = time.GetUtcNow();
        return [.. (await ReadKeysAsync(connection, null, id, cancellationToken)).Where(k => k.Until is null || k.Until > now).Select(k => Convert.FromBase64String(k.Key))];
    }

    /// <summary>Makes <paramref name="key"/> the webhook's key; the ones in force keep signing beside it for <paramref name="overlap"/>.</summary>
    public async Task<bool> RotateAsync(long id, byte[] key, TimeSpan overlap, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.Sql.BeginWriteAsync(connection, cancellationToken);
        await using (var exists = connection.Command($"SELECT 1 FROM webhooks WHERE id = @id{database.Sql.ForUpdate}", transaction))
        {
            exists.AddInt64("@id", id);
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                return false;
            }
        }

        var now = time.GetUtcNow();
        var until = now + overlap;
        var keys = (await ReadKeysAsync(connection, transaction, id, cancellationToken))
            .Where(k => k.Until is null || k.Until > now)
            .Select(k => k with { Until = k.Until is { } ends && ends < until ? ends : until })
            .Prepend(new StoredKey(Convert.ToBase64String(key), null))
            .ToList();
        await SaveKeysAsync(connection, transaction, id, keys, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Adds the deliveries of <paramref name="events"/> to every webhook that has not yet looked at
    /// them and matches, and moves each webhook's cursor past them, in one transaction: a crash
    /// leaves either both or neither, and instances doing the same at once add each delivery once.
    /// </summary>
    public async Task<int> EnqueueAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        var last = events[^1].EventId;
        await using var connection = await database.OpenAsync(cancellationToken);
        // Looked at first without the write lock, which every commit of mail also takes: with no
        // webhook behind, the batch costs one read. None can fall behind meanwhile, since a new
        // webhook starts at the log's end and cursors only move forward.
        await using (var anyBehind = connection.Command("SELECT EXISTS (SELECT 1 FROM webhooks WHERE cursor < @last)"))
        {
            anyBehind.AddInt64("@last", last);
            if (!Convert.ToBoolean(await anyBehind.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture))
            {
                return 0;
            }
        }

        await using var transaction = await database.Sql.BeginWriteAsync(connection, cancellationToken);
        var behind = new List<(long Id, WebhookSettings Settings, long Cursor)>();
        await using (var select = connection.Command($"SELECT id, settings, cursor FROM webhooks WHERE cursor < @last ORDER BY id{database.Sql.ForUpdate}", transaction))
        {
            select.AddInt64("@last", last);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                behind.Add((reader.GetInt64(0), WebhookSettings.FromJson(reader.GetString(1)), reader.GetInt64(2)));
            }
        }

        if (behind.Count == 0)
        {
            return 0;
        }

        var facts = events.ToDictionary(e => e.EventId, EventFacts.Of);
        var routes = await RoutesAsync(connection, transaction, events[0].EventId, last, cancellationToken);
        var added = 0;
        var now = time.GetUtcNow();
        foreach (var (id, settings, cursor) in behind)
        {
            // A rule's route sends the event whatever the webhook's filters say; a disabled webhook sends nothing.
            var matching = events
                .Where(e => e.EventId > cursor && (settings.Matches(facts[e.EventId]) || (settings.Enabled && routes.TryGetValue(e.EventId, out var routed) && routed.Contains(id))))
                .Select(e => e.EventId)
                .ToList();
            if (matching.Count > 0)
            {
                // One statement per webhook and batch; the event ids are numbers from the log, inlined.
                await using var insert = connection.Command(
                    $"""
                    INSERT INTO webhook_deliveries (webhook_id, event_id, state, attempts, next_attempt_at, claimed_until, created_at)
                    VALUES {string.Join(", ", matching.Select(e => $"(@webhook, {e.ToString(CultureInfo.InvariantCulture)}, 'pending', 0, @due, 0, @now)"))}
                    ON CONFLICT (webhook_id, event_id) DO NOTHING
                    """,
                    transaction);
                insert.AddInt64("@webhook", id);
                insert.AddInt64("@due", now.ToUnixTimeMilliseconds());
                insert.AddText("@now", StoredTime.Format(now));
                added += await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var advance = connection.Command("UPDATE webhooks SET cursor = @last WHERE id = @id AND cursor < @last", transaction);
            advance.AddInt64("@last", last);
            advance.AddInt64("@id", id);
            await advance.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return added;
    }

    private static async Task<Dictionary<long, long[]>> RoutesAsync(
        DbConnection connection, DbTransaction transaction, long first, long last, CancellationToken cancellationToken)
    {
        var routes = new Dictionary<long, long[]>();
        await using var command = connection.Command(
            "SELECT event_id, routes FROM events WHERE event_id >= @first AND event_id <= @last AND routes IS NOT NULL", transaction);
        command.AddInt64("@first", first);
        command.AddInt64("@last", last);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            routes[reader.GetInt64(0)] = EventRoutes.Parse(reader.GetString(1));
        }

        return routes;
    }

    /// <summary>Where the slowest webhook's cursor stands (the log end when there is none): the enqueuer starts there.</summary>
    public async Task<long> SlowestCursorAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT coalesce((SELECT min(cursor) FROM webhooks), (SELECT coalesce(max(event_id), 0) FROM events))");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A webhook's pending deliveries that are due now and not claimed, oldest first, at most
    /// <paramref name="limit"/>: read through its own index, so a long backlog costs only what is taken.
    /// </summary>
    public async Task<IReadOnlyList<DueDelivery>> DueAsync(long webhook, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"""
            SELECT id, webhook_id, event_id, attempts, first_attempt_at FROM webhook_deliveries
            WHERE webhook_id = @webhook AND state = 'pending' AND next_attempt_at <= @now AND claimed_until < {database.Sql.NowMilliseconds}
            ORDER BY id LIMIT @limit
            """);
        command.AddInt64("@webhook", webhook);
        command.AddInt64("@now", time.GetUtcNow().ToUnixTimeMilliseconds());
        command.AddInt64("@limit", limit);
        var due = new List<DueDelivery>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            due.Add(new DueDelivery(
                reader.GetInt64(0),
                reader.GetInt64(1),
                reader.GetInt64(2),
                Convert.ToInt32(reader.GetValue(3), CultureInfo.InvariantCulture),
                reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
        }

        return due;
    }

    /// <summary>A webhook's oldest pending delivery, due or not: an ordered webhook sends no other.</summary>
    public async Task<long?> OldestPendingAsync(long webhook, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT min(id) FROM webhook_deliveries WHERE webhook_id = @webhook AND state = 'pending'");
        command.AddInt64("@webhook", webhook);
        return await command.ExecuteScalarAsync(cancellationToken) is { } id and not DBNull ? Convert.ToInt64(id, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>
    /// Claims due deliveries for <paramref name="duration"/> on the database's clock (one clock for
    /// every instance), in one statement; returns the claim of each one claimed (its attempt's
    /// record must carry it). Those another instance (or an earlier claim) has are left out.
    /// </summary>
    public async Task<IReadOnlyDictionary<long, long>> ClaimAsync(IReadOnlyCollection<long> ids, TimeSpan duration, CancellationToken cancellationToken)
    {
        var claimed = new Dictionary<long, long>();
        if (ids.Count == 0)
        {
            return claimed;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"""
            UPDATE webhook_deliveries SET claimed_until = {database.Sql.NowMilliseconds} + @duration, claimed_by = @instance
            WHERE id IN ({string.Join(',', ids.Select(id => id.ToString(CultureInfo.InvariantCulture)))})
              AND state = 'pending' AND claimed_until < {database.Sql.NowMilliseconds} AND next_attempt_at <= @now
            RETURNING id, claimed_until
            """);
        command.AddInt64("@duration", (long)duration.TotalMilliseconds);
        command.AddText("@instance", cluster.Value.ResolvedInstanceId);
        command.AddInt64("@now", time.GetUtcNow().ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed[reader.GetInt64(0)] = reader.GetInt64(1);
        }

        return claimed;
    }

    public async Task<long?> TryClaimAsync(long id, TimeSpan duration, CancellationToken cancellationToken) =>
        (await ClaimAsync([id], duration, cancellationToken)).TryGetValue(id, out var claim) ? claim : null;

    /// <summary>
    /// Lets go of the claims an earlier run left (it crashed or was killed mid-send): their
    /// deliveries are sent again now rather than when the claims run out. On SQLite this is the only
    /// instance, so every claim is such a one; on PostgreSQL, those under this INSTANCE_ID.
    /// </summary>
    public async Task<int> ReleaseLeftClaimsAsync(CancellationToken cancellationToken)
    {
        var alone = database.Sql.Engine == "sqlite";
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "UPDATE webhook_deliveries SET claimed_until = 0 WHERE state = 'pending' AND claimed_until > 0" + (alone ? string.Empty : " AND claimed_by = @instance"));
        if (!alone)
        {
            command.AddText("@instance", cluster.Value.ResolvedInstanceId);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Records an attempt made under <paramref name="claim"/> (from <see cref="TryClaimAsync"/>), and
    /// where the delivery goes from there: delivered, due again at <paramref name="retryAt"/>, or
    /// dead (neither). Nothing is written when the claim has passed to someone else meanwhile.
    /// </summary>
    public Task FinishAttemptAsync(
        DueDelivery delivery, long claim, WebhookAttempt attempt, bool delivered, DateTimeOffset? retryAt, CancellationToken cancellationToken) =>
        FinishAttemptsAsync([new FinishedAttempt(delivery, claim, attempt, delivered, retryAt)], cancellationToken);

    /// <summary>Records several attempts in one transaction (one write to disk for all), each as <see cref="FinishAttemptAsync"/> would.</summary>
    public async Task FinishAttemptsAsync(IReadOnlyList<FinishedAttempt> finished, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.Sql.BeginWriteAsync(connection, cancellationToken);
        // In one order everywhere (webhook rows are locked in id order by the enqueuer too): no deadlock.
        foreach (var (delivery, claim, attempt, delivered, retryAt) in finished.OrderBy(f => f.Delivery.WebhookId).ThenBy(f => f.Delivery.Id))
        {
            await RecordAsync(connection, transaction, delivery, claim, attempt, delivered, retryAt, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task RecordAsync(
        DbConnection connection, DbTransaction transaction, DueDelivery delivery, long claim, WebhookAttempt attempt, bool delivered, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        var state = delivered ? DeliveryStates.Delivered : retryAt is null ? DeliveryStates.Dead : DeliveryStates.Pending;
        await using (var update = connection.Command(
            """
            UPDATE webhook_deliveries SET
                state = @state, attempts = attempts + 1, claimed_until = 0,
                first_attempt_at = coalesce(first_attempt_at, @at),
                next_attempt_at = @next,
                finished_at = @finished
            WHERE id = @id AND claimed_until = @claim
            """,
            transaction))
        {
            update.AddText("@state", state);
            update.AddInt64("@at", attempt.At.ToUnixTimeMilliseconds());
            update.AddInt64("@next", (retryAt ?? attempt.At).ToUnixTimeMilliseconds());
            update.AddText("@finished", state == DeliveryStates.Pending ? null : StoredTime.Format(attempt.At));
            update.AddInt64("@id", delivery.Id);
            update.AddInt64("@claim", claim);
            if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                // The claim passed to someone else meanwhile: their record stands.
                return;
            }
        }

        await using (var record = connection.Command(
            "INSERT INTO webhook_attempts (delivery_id, attempted_at, status, error, duration_ms) VALUES (@delivery, @at, @status, @error, @duration)",
            transaction))
        {
            record.AddInt64("@delivery", delivery.Id);
            record.AddText("@at", StoredTime.Format(attempt.At));
            record.AddInt64("@status", attempt.Status);
            record.AddText("@error", attempt.Error);
            record.AddInt64("@duration", attempt.DurationMs);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var trim = connection.Command(
            $"""
            DELETE FROM webhook_attempts WHERE delivery_id = @delivery AND id NOT IN
                (SELECT id FROM webhook_attempts WHERE delivery_id = @delivery ORDER BY id DESC LIMIT {AttemptsShown})
            """,
            transaction))
        {
            trim.AddInt64("@delivery", delivery.Id);
            await trim.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var outcome = connection.Command(
            $"UPDATE webhooks SET {(delivered ? "last_success_at" : "last_failure_at")} = @at WHERE id = @webhook", transaction))
        {
            outcome.AddText("@at", StoredTime.Format(attempt.At));
            outcome.AddInt64("@webhook", delivery.WebhookId);
            await outcome.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>A webhook's latest deliveries, newest first, each with its latest attempts.</summary>
    public async Task<IReadOnlyList<WebhookDelivery>> DeliveriesAsync(long webhookId, int limit, long? deliveryId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var deliveries = new List<WebhookDelivery>();
        await using (var command = connection.Command($"""
            SELECT id, event_id, state, attempts, created_at, next_attempt_at, finished_at FROM webhook_deliveries
            WHERE webhook_id = @webhook{(deliveryId is null ? "" : " AND id = @id")}
            ORDER BY id DESC LIMIT @limit
            """))
        {
            command.AddInt64("@webhook", webhookId);
            command.AddInt64("@limit", limit);
            if (deliveryId is not null)
            {
                command.AddInt64("@id", deliveryId);
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var state = reader.GetString(2);
                deliveries.Add(new WebhookDelivery(
                    reader.GetInt64(0),
                    webhookId,
                    reader.GetInt64(1),
                    state,
                    Convert.ToInt32(reader.GetValue(3), CultureInfo.InvariantCulture),
                    StoredTime.Parse(reader.GetString(4)),
                    state == DeliveryStates.Pending ? DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)) : null,
                    reader.IsDBNull(6) ? null : StoredTime.Parse(reader.GetString(6)),
                    []));
            }
        }

        if (deliveries.Count == 0)
        {
            return deliveries;
        }

        var attempts = deliveries.ToDictionary(d => d.Id, _ => new List<WebhookAttempt>());
        await using (var command = connection.Command($"""
            SELECT delivery_id, attempted_at, status, error, duration_ms FROM webhook_attempts
            WHERE delivery_id IN ({string.Join(',', deliveries.Select(d => d.Id.ToString(CultureInfo.InvariantCulture)))}) ORDER BY id DESC
            """))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (attempts.TryGetValue(reader.GetInt64(0), out var list))
                {
                    list.Add(new WebhookAttempt(
                        StoredTime.Parse(reader.GetString(1)),
                        reader.IsDBNull(2) ? null : Convert.ToInt32(reader.GetValue(2), CultureInfo.InvariantCulture),
                        reader.IsDBNull(3) ? null : reader.GetString(3),
                        reader.GetInt64(4)));
                }
            }
        }

        return [.. deliveries.Select(d => d with { Recent = attempts[d.Id] })];
    }

    /// <summary>Makes a dead delivery pending again, due now, with a new 24 h (and the quick retries) to succeed in; false when it is not dead.</summary>
    public async Task<bool> RetryAsync(long webhookId, long deliveryId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            """
            UPDATE webhook_deliveries SET state = 'pending', attempts = 0, first_attempt_at = NULL, next_attempt_at = @now, claimed_until = 0, finished_at = NULL
            WHERE id = @id AND webhook_id = @webhook AND state = 'dead'
            """);
        command.AddInt64("@now", time.GetUtcNow().ToUnixTimeMilliseconds());
        command.AddInt64("@id", deliveryId);
        command.AddInt64("@webhook", webhookId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Deletes deliveries that ended (delivered or dead) before <paramref name="before"/>, with their attempts.</summary>
    public async Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.Sql.BeginWriteAsync(connection, cancellationToken);
        await using var attempts = connection.Command(
            "DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE state <> 'pending' AND finished_at < @before)", transaction);
        attempts.AddText("@before", StoredTime.Format(before));
        await attempts.ExecuteNonQueryAsync(cancellationToken);
        await using var deliveries = connection.Command("DELETE FROM webhook_deliveries WHERE state <> 'pending' AND finished_at < @before", transaction);
        deliveries.AddText("@before", StoredTime.Format(before));
        var deleted = await deliveries.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    private async Task<List<StoredKey>> ReadKeysAsync(DbConnection connection, DbTransaction? transaction, long id, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT secrets FROM webhooks WHERE id = @id", transaction);
        command.AddInt64("@id", id);
        if (await command.ExecuteScalarAsync(cancellationToken) is not byte[] sealedKeys
            || vault.Open(Context(id), sealedKeys) is not { } json)
        {
            return [];
        }

        return JsonSerializer.Deserialize(json, WebhookJson.Default.ListStoredKey) ?? [];
    }

    private async Task SaveKeysAsync(DbConnection connection, DbTransaction transaction, long id, List<StoredKey> keys, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("UPDATE webhooks SET secrets = @secrets WHERE id = @id", transaction);
        command.AddBytes("@secrets", vault.Seal(Context(id), JsonSerializer.Serialize(keys, WebhookJson.Default.ListStoredKey)));
        command.AddInt64("@id", id);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Context(long id) => "webhook:" + id.ToString(CultureInfo.InvariantCulture);
}

/// <summary>An attempt made under a claim, and where its delivery goes from there.</summary>
internal sealed record FinishedAttempt(DueDelivery Delivery, long Claim, WebhookAttempt Attempt, bool Delivered, DateTimeOffset? RetryAt);
