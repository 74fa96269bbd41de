using System.Text.Json;
using EmailMonitor.Analysis;
using System.Data.Common;
using EmailMonitor.Pipeline;
using EmailMonitor.Search;

namespace EmailMonitor.Storage;

/// <summary>
/// Events and source checkpoints. An event and the checkpoint it advances commit in one
/// transaction, and the message id is unique, so a message can neither be lost between a crash
/// and a restart nor become two events.
/// </summary>
/// <remarks>
/// The events table is a log that readers follow by event_id (resume, fan-out, other instances).
/// That only works if ids are handed out in commit order, whatever the number of writers: every
/// append takes the engine's event log lock (<see cref="Writers.EventLog"/>) before drawing
/// ids and holds it until it commits, so an id is never committed after a higher one.
/// </remarks>
internal sealed class EventStore(Database database, TimeProvider time, ILogger<EventStore> logger)
{
    /// <summary>A source's committed position; null when it has none (never started, or forgotten).</summary>
    public async Task<StoredPosition?> GetPositionAsync(FolderKey source, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadPositionAsync(connection, null, source, cancellationToken) is { Value.Length: > 0 } position ? position : null;
    }

    /// <summary>
    /// Starts a source's numbering again at <paramref name="value"/>: on its first start, and when
    /// its old positions no longer mean anything (a new UIDVALIDITY). Emails handed over under the
    /// previous generation no longer move the checkpoint.
    /// </summary>
    /// <exception cref="FencedException">The mailbox's lease has passed on since <paramref name="fence"/> was issued.</exception>
    public async Task<StoredPosition> ResetPositionAsync(FolderKey source, string value, long fence, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.Sql.BeginWriteAsync(connection, cancellationToken);
        if (!await FenceHoldsAsync(connection, transaction, source.Mailbox, fence, cancellationToken))
        {
            throw new FencedException(source.Mailbox);
        }

        await using var command = connection.Command("""
            INSERT INTO source_positions (mailbox, folder, generation, sequence, position, updated_at)
            VALUES (@mailbox, @folder, 1, 0, @position, @now)
            ON CONFLICT (mailbox, folder) DO UPDATE SET
                generation = source_positions.generation + 1, sequence = 0, position = excluded.position, updated_at = excluded.updated_at
            RETURNING generation
            """, transaction);
        AddPositionParameters(command, source, value);
        var generation = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        await transaction.CommitAsync(cancellationToken);
        return new StoredPosition(generation, 0, value);
    }

    /// <summary>
    /// Forgets every position of a mailbox, so that it starts afresh ("now"); its events stay. The
    /// rows stay too, with a new generation, so emails of the old positions still on their way
    /// can never move the new ones.
    /// </summary>
    public async Task ForgetPositionsAsync(string mailbox, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            UPDATE source_positions SET generation = generation + 1, sequence = 0, position = '', updated_at = @now
            WHERE mailbox = @mailbox
            """);
        command.AddText("@mailbox", mailbox);
        command.AddText("@now", StoredTime.Format(time.GetUtcNow()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Stores a batch of analysed emails and advances their sources' checkpoints in one
    /// transaction. Returns the events that are new, in event_id order, with where the log ended
    /// before them; a message stored before (re-fetched after a crash) is skipped. A checkpoint
    /// moves only along its source's unbroken sequence (see <see cref="SourceCheckpoint"/>).
    /// </summary>
    public async Task<CommittedEvents> AppendAsync(IReadOnlyList<AnalysedEmail> batch, CancellationToken cancellationToken)
    {
        var stored = new List<StoredEvent>(batch.Count);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.Sql.BeginWriteAsync(connection, cancellationToken);
        await connection.ExecuteAsync(database.Sql.Lock(Writers.EventLog), cancellationToken, transaction);

        long after;
        await using (var end = connection.Command("SELECT coalesce(max(event_id), 0) FROM events", transaction))
        {
            after = Convert.ToInt64(await end.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        // An owner replaced while it stalled commits nothing: its successor fetches the same mail.
        var fenced = new HashSet<(string Mailbox, long Fence)>();
        foreach (var (mailboxName, fence) in batch.Select(e => (e.Checkpoint.Source.Mailbox, e.Checkpoint.Fence)).Distinct())
        {
            if (!await FenceHoldsAsync(connection, transaction, mailboxName, fence, cancellationToken))
            {
                fenced.Add((mailboxName, fence));
                logger.FencedCommit(mailboxName, fence, batch.Count(e => e.Checkpoint.Source.Mailbox == mailboxName && e.Checkpoint.Fence == fence));
            }
        }

        if (fenced.Count > 0)
        {
            batch = [.. batch.Where(e => !fenced.Contains((e.Checkpoint.Source.Mailbox, e.Checkpoint.Fence)))];
        }

        var inRow = database.Sql.SearchInRow;
        await using var insert = connection.Command($"""
            INSERT INTO events (message_key, mailbox, folder, received_at, payload, routes, headers, risk_score, flags, tags, search_indexed{(inRow is { } c ? ", " + c.Column : "")})
            VALUES (@key, @mailbox, @folder, @receivedAt, @payload, @routes, @headers, @risk, @flags, @tags, 1{(inRow is { } v ? ", " + v.Value : "")})
            ON CONFLICT (message_key) DO NOTHING
            RETURNING event_id
            """, transaction);
        var key = insert.AddText("@key", null);
        var mailbox = insert.AddText("@mailbox", null);
        var folder = insert.AddText("@folder", null);
        var receivedAt = insert.AddText("@receivedAt", null);
        var payload = insert.AddText("@payload", null);
        var routes = insert.AddText("@routes", null);
        var headers = insert.AddText("@headers", null);
        var risk = insert.AddInt64("@risk", 0);
        var flags = insert.AddText("@flags", null);
        var tags = insert.AddText("@tags", null);
        var words = insert.AddText("@words", null);
        await using var indexApart = database.Sql.SearchIndexApart is { } apart ? connection.Command(apart, transaction) : null;
        var apartId = indexApart?.AddInt64("@id", 0);
        var apartWords = indexApart?.AddText("@words", null);

        // A suppressed email is left out here alone: its checkpoint still moves past it below.
        foreach (var email in batch.Where(e => !e.Suppressed))
        {
            var json = email.Payload ?? JsonSerializer.Serialize(email.Event, EmailEventJson.Wire.EmailEvent);
            key.Value = email.Event.Id;
            mailbox.Value = email.Event.Mailbox;
            folder.Value = email.Event.Folder;
            receivedAt.Value = email.Event.ReceivedAt;
            payload.Value = json;
            routes.Value = (object?)EventRoutes.Format(email.Routes) ?? DBNull.Value;
            headers.Value = email.RawHeaders.Length > 0 ? email.RawHeaders : DBNull.Value;
            var search = email.Search ?? SearchFields.Of(email.Event);
            risk.Value = (long)search.RiskScore;
            flags.Value = search.Flags;
            tags.Value = search.Tags;
            words.Value = search.Words;
            if (await insert.ExecuteScalarAsync(cancellationToken) is { } inserted and not DBNull)
            {
                var eventId = Convert.ToInt64(inserted, System.Globalization.CultureInfo.InvariantCulture);
                if (indexApart is not null)
                {
                    apartId!.Value = eventId;
                    apartWords!.Value = search.Words;
                    await indexApart.ExecuteNonQueryAsync(cancellationToken);
                }

                stored.Add(new StoredEvent(eventId, email.Event.Mailbox, json) { Trace = email.Trace });
            }
        }

        foreach (var source in batch.Select(e => e.Checkpoint).GroupBy(c => c.Source))
        {
            await AdvanceAsync(connection, transaction, source.Key, source, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new CommittedEvents(after, stored);
    }

    private async Task AdvanceAsync(
        DbConnection connection, DbTransaction transaction, FolderKey source, IEnumerable<SourceCheckpoint> checkpoints, CancellationToken cancellationToken)
    {
        var current = await ReadPositionAsync(connection, transaction, source, cancellationToken);
        if (current is null)
        {
            // No position was ever started for this source (events put in by other means).
            return;
        }

        SourceCheckpoint? reached = null;
        var sequence = current.Sequence;
        foreach (var checkpoint in checkpoints)
        {
            if (checkpoint.Generation != current.Generation || checkpoint.Sequence <= sequence)
            {
                continue;
            }

            if (checkpoint.Sequence != sequence + 1)
            {
                logger.CheckpointOutOfOrder(source, current.Generation, sequence + 1, checkpoint.Sequence);
                break;
            }

            reached = checkpoint;
            sequence = checkpoint.Sequence;
        }

        if (reached is null)
        {
            return;
        }

        await using var advance = connection.Command("""
            UPDATE source_positions SET sequence = @sequence, position = @position, fence = @fence, updated_at = @now
            WHERE mailbox = @mailbox AND folder = @folder AND generation = @generation
            """, transaction);
        AddPositionParameters(advance, source, reached.Position.Serialize());
        advance.AddInt64("@sequence", reached.Sequence);
        advance.AddInt64("@fence", reached.Fence);
        advance.AddInt64("@generation", reached.Generation);
        await advance.ExecuteNonQueryAsync(cancellationToken);
    }

    // Fence 0: no leases (one instance owns everything). Otherwise the lease must still carry this
    // token; the row stays locked to the commit, so a takeover waits for it and then sees its result.
    private async Task<bool> FenceHoldsAsync(DbConnection connection, DbTransaction transaction, string mailbox, long fence, CancellationToken cancellationToken)
    {
        if (fence == 0)
        {
            return true;
        }

        await using var command = connection.Command("SELECT token FROM mailbox_leases WHERE mailbox = @mailbox" + database.Sql.ForShare, transaction);
        command.AddText("@mailbox", mailbox);
        return await command.ExecuteScalarAsync(cancellationToken) is { } token and not DBNull
            && Convert.ToInt64(token, System.Globalization.CultureInfo.InvariantCulture) == fence;
    }

    private async Task<StoredPosition?> ReadPositionAsync(
        DbConnection connection, DbTransaction? transaction, FolderKey source, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            "SELECT generation, sequence, position FROM source_positions WHERE mailbox = @mailbox AND folder = @folder"
            + (transaction is null ? string.Empty : database.Sql.ForUpdate),
            transaction);
        command.AddText("@mailbox", source.Mailbox);
        command.AddText("@folder", source.Folder);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredPosition(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2))
            : null;
    }

    /// <summary>
    /// Deletes one batch from the old end of the log: events received before <paramref name="cutoff"/>
    /// (when given), and those past the newest <paramref name="maxEvents"/> (when positive). Only
    /// ever a prefix, so everything after the horizon is still there. Returns how many it deleted.
    /// </summary>
    public async Task<int> DeleteOldestAsync(DateTimeOffset? cutoff, long maxEvents, int batchSize, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.Sql.BeginWriteAsync(connection, cancellationToken);
        var through = 0L;
        var oldest = new List<(long Id, DateTimeOffset ReceivedAt)>(batchSize);
        await using (var read = connection.Command("SELECT event_id, received_at FROM events ORDER BY event_id LIMIT @batch", transaction))
        {
            read.AddInt64("@batch", batchSize);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                oldest.Add((reader.GetInt64(0), StoredTime.Parse(reader.GetString(1))));
            }
        }

        if (cutoff is { } before)
        {
            // The prefix that is old enough; an event stamped later (another instance's clock) ends it.
            foreach (var (id, receivedAt) in oldest.TakeWhile(e => e.ReceivedAt < before))
            {
                through = id;
            }
        }

        if (maxEvents > 0 && oldest.Count > 0)
        {
            await using var count = connection.Command("SELECT event_id FROM events ORDER BY event_id DESC LIMIT 1 OFFSET @keep", transaction);
            count.AddInt64("@keep", maxEvents);
            if (await count.ExecuteScalarAsync(cancellationToken) is { } beyond and not DBNull)
            {
                through = Math.Max(through, Math.Min(Convert.ToInt64(beyond, System.Globalization.CultureInfo.InvariantCulture), oldest[^1].Id));
            }
        }

        // Webhooks hold events back: those a webhook has not looked at yet, and those a delivery
        // still waits to send (at most a day, or until an administrator sends a dead one again).
        await using (var held = connection.Command(
            """
            SELECT min(x) FROM (
                SELECT min(cursor) AS x FROM webhooks
                UNION ALL SELECT min(event_id) - 1 FROM webhook_deliveries WHERE state <> 'delivered'
            ) holds
            """,
            transaction))
        {
            if (await held.ExecuteScalarAsync(cancellationToken) is { } hold and not DBNull)
            {
                through = Math.Min(through, Convert.ToInt64(hold, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        if (through <= 0)
        {
            return 0;
        }

        await using var delete = connection.Command("""
            DELETE FROM events WHERE event_id <= @through;
            UPDATE event_log_horizon SET deleted_through = @through WHERE deleted_through < @through;
            """, transaction);
        delete.AddInt64("@through", through);
        await delete.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return oldest.Count(e => e.Id <= through);
    }

    /// <summary>The highest event_id retention has deleted through (0 when it never has).</summary>
    public async Task<long> DeletedThroughAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT deleted_through FROM event_log_horizon");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken) ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The last event_id in the log (0 when it is empty).</summary>
    public async Task<long> LastEventIdAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT coalesce(max(event_id), 0) FROM events");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Events after <paramref name="afterEventId"/>, oldest first, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<StoredEvent>> ReadAfterAsync(long afterEventId, int limit, CancellationToken cancellationToken) =>
        ReadAfterAsync(afterEventId, limit, long.MaxValue, null, cancellationToken);

    /// <summary>
    /// Events after <paramref name="afterEventId"/>, oldest first, at most <paramref name="limit"/>,
    /// and no more once <paramref name="maxPayloadBytes"/> of them (UTF-8) have been read (the one that
    /// crossed it included): a page of large events stays a few megabytes. Only events of the
    /// <paramref name="visible"/> mailboxes, when given.
    /// </summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadAfterAsync(
        long afterEventId, int limit, long maxPayloadBytes, IReadOnlySet<string>? visible, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"""
            SELECT event_id, mailbox, payload FROM events
            WHERE event_id > @after{Visible(visible)}
            ORDER BY event_id LIMIT @limit
            """);
        command.AddInt64("@after", afterEventId);
        command.AddInt64("@limit", limit);
        AddVisible(command, visible);
        return await ReadEventsAsync(command, maxPayloadBytes, cancellationToken);
    }

    /// <summary>
    /// Events before <paramref name="beforeEventId"/> (all when null), newest first, at most
    /// <paramref name="limit"/> and <paramref name="maxPayloadBytes"/> as in <see cref="ReadAfterAsync(long, int, long, IReadOnlySet{string}, CancellationToken)"/>,
    /// optionally of one mailbox and folder. Paging by event_id, not by offset, so a page never
    /// shifts when new mail arrives.
    /// </summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadBeforeAsync(
        long? beforeEventId, int limit, EmailFilter filter, long maxPayloadBytes, IReadOnlySet<string>? visible, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(string.Empty);
        var conditions = new List<string> { "event_id < @before" };
        command.AddInt64("@before", beforeEventId ?? long.MaxValue);
        void Condition(string sql, string parameter, object value)
        {
            conditions.Add(sql);
            if (value is long number)
            {
                command.AddInt64(parameter, number);
            }
            else
            {
                command.AddText(parameter, (string)value);
            }
        }

        if (filter.Mailbox is { } mailbox)
        {
            Condition("mailbox = @mailbox", "@mailbox", mailbox);
        }

        if (filter.Folder is { } folder)
        {
            Condition("folder = @folder", "@folder", folder);
        }

        if (filter.Terms.Count > 0)
        {
            Condition(database.Sql.MatchesSearch("@search", "@before"), "@search", database.Sql.FormatSearch(filter.Terms));
        }

        for (var i = 0; i < filter.Flags.Count; i++)
        {
            Condition(database.Sql.Contains("flags", $"@flag{i}"), $"@flag{i}", SearchFields.Needle(filter.Flags[i]));
        }

        for (var i = 0; i < filter.Tags.Count; i++)
        {
            Condition(database.Sql.Contains("tags", $"@tag{i}"), $"@tag{i}", SearchFields.Needle(filter.Tags[i]));
        }

        if (filter.MinRiskScore is { } minRisk)
        {
            Condition("risk_score >= @minRisk", "@minRisk", (long)minRisk);
        }

        if (filter.ReceivedSince is { } since)
        {
            Condition("received_at >= @since", "@since", since);
        }

        if (filter.ReceivedUntil is { } until)
        {
            Condition("received_at < @until", "@until", until);
        }

        // The filter columns come after the payload in each row; their index spares reading it.
        var filtered = filter.Flags.Count > 0 || filter.Tags.Count > 0 || filter.MinRiskScore is not null;
        command.CommandText = $"""
            SELECT event_id, mailbox, payload FROM events{(filtered ? database.Sql.FilterIndex : string.Empty)}
            WHERE {string.Join(" AND ", conditions)}{Visible(visible)}
            ORDER BY event_id DESC LIMIT @limit
            """;
        command.AddInt64("@limit", limit);
        AddVisible(command, visible);
        return await ReadEventsAsync(command, maxPayloadBytes, cancellationToken);
    }

    /// <summary>
    /// Gives up to <paramref name="batch"/> events below <paramref name="belowEventId"/> that were
    /// stored before search existed (schema 12) their search fields, newest first. Returns how many
    /// it did and the event_id to go on below; none left when it did none. The payloads are read
    /// and their words cut before the write begins, so writers wait only for the updates.
    /// </summary>
    public async Task<(int Indexed, long Below)> IndexUnindexedAsync(long belowEventId, int batch, CancellationToken cancellationToken)
    {
        List<StoredEvent> events;
        await using (var reading = await database.OpenAsync(cancellationToken))
        {
            await using var select = reading.Command(
                $"SELECT event_id, mailbox, payload FROM events{database.Sql.FilterIndex} WHERE event_id < @below AND search_indexed = 0 ORDER BY event_id DESC LIMIT @batch");
            select.AddInt64("@below", belowEventId);
            select.AddInt64("@batch", batch);
            events = await ReadEventsAsync(select, long.MaxValue, cancellationToken);
        }

        if (events.Count == 0)
        {
            return (0, belowEventId);
        }

        // A payload that no longer reads is still marked done, with no words: it cannot hold the
        // backfill up, and it stays listed unfiltered.
        var fields = events.Select(stored => (stored.EventId, Fields: ReadSearchFields(stored) ?? new SearchFields(0, " ", " ", string.Empty))).ToList();

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.Sql.BeginWriteAsync(connection, cancellationToken);
        var inRow = database.Sql.SearchInRow;
        await using var update = connection.Command($"""
            UPDATE events SET risk_score = @risk, flags = @flags, tags = @tags, search_indexed = 1{(inRow is { } c ? $", {c.Column} = {c.Value}" : "")}
            WHERE event_id = @id AND search_indexed = 0
            """, transaction);
        var id = update.AddInt64("@id", 0);
        var risk = update.AddInt64("@risk", 0);
        var flags = update.AddText("@flags", null);
        var tags = update.AddText("@tags", null);
        var words = update.AddText("@words", null);
        await using var indexApart = database.Sql.SearchIndexApart is { } apart ? connection.Command(apart, transaction) : null;
        var apartId = indexApart?.AddInt64("@id", 0);
        var apartWords = indexApart?.AddText("@words", null);
        foreach (var (eventId, search) in fields)
        {
            id.Value = eventId;
            risk.Value = (long)search.RiskScore;
            flags.Value = search.Flags;
            tags.Value = search.Tags;
            words.Value = search.Words;
            // Another instance may have done it meanwhile: then it is left as that one did it.
            if (await update.ExecuteNonQueryAsync(cancellationToken) == 1 && indexApart is not null)
            {
                apartId!.Value = eventId;
                apartWords!.Value = search.Words;
                await indexApart.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return (events.Count, events[^1].EventId);
    }

    private static SearchFields? ReadSearchFields(StoredEvent stored)
    {
        try
        {
            return JsonSerializer.Deserialize(stored.Payload, EmailEventJson.Wire.EmailEvent) is { } email ? SearchFields.Of(email) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The header block of one message as it arrived, by its stable id; null when unknown, with its mailbox.</summary>
    public async Task<(string Mailbox, string? Headers)?> FindHeadersAsync(string messageId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT mailbox, headers FROM events WHERE message_key = @key");
        command.AddText("@key", messageId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)) : null;
    }

    /// <summary>The event of one message, by its stable id (<c>id</c> in <c>new_email</c>).</summary>
    public async Task<StoredEvent?> FindAsync(string messageId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT event_id, mailbox, payload FROM events WHERE message_key = @key");
        command.AddText("@key", messageId);
        return (await ReadEventsAsync(command, long.MaxValue, cancellationToken)).SingleOrDefault();
    }

    private static async Task<List<StoredEvent>> ReadEventsAsync(DbCommand command, long maxPayloadBytes, CancellationToken cancellationToken)
    {
        var events = new List<StoredEvent>();
        long bytes = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (bytes <= maxPayloadBytes && await reader.ReadAsync(cancellationToken))
        {
            var stored = new StoredEvent(reader.GetInt64(0), reader.GetString(1), reader.GetString(2));
            bytes += stored.PayloadBytes;
            events.Add(stored);
        }

        return events;
    }

    private string Visible(IReadOnlySet<string>? visible) =>
        visible is null ? string.Empty : " AND " + database.Sql.IsOneOf("mailbox", "@visible");

    private void AddVisible(DbCommand command, IReadOnlySet<string>? visible)
    {
        if (visible is not null)
        {
            database.Sql.AddStringList(command, "@visible", visible);
        }
    }

    private void AddPositionParameters(DbCommand command, FolderKey source, string position)
    {
        command.AddText("@mailbox", source.Mailbox);
        command.AddText("@folder", source.Folder);
        command.AddText("@position", position);
        command.AddText("@now", StoredTime.Format(time.GetUtcNow()));
    }
}
