using System.Text.Json;
using EmailMonitor.Analysis;
using EmailMonitor.Pipeline;
using Microsoft.Data.Sqlite;

namespace EmailMonitor.Storage;

/// <summary>
/// Events and source checkpoints. An event and the checkpoint it advances commit in one
/// transaction, and the message id is unique, so a message can neither be lost between a crash
/// and a restart nor become two events.
/// </summary>
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
    public async Task<StoredPosition> ResetPositionAsync(FolderKey source, string value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO source_positions (mailbox, folder, generation, sequence, position, updated_at)
            VALUES ($mailbox, $folder, 1, 0, $position, $now)
            ON CONFLICT (mailbox, folder) DO UPDATE SET
                generation = generation + 1, sequence = 0, position = excluded.position, updated_at = excluded.updated_at
            RETURNING generation
            """;
        AddPositionParameters(command, source, value);
        var generation = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
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
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE source_positions SET generation = generation + 1, sequence = 0, position = '', updated_at = $now
            WHERE mailbox = $mailbox
            """;
        command.Parameters.AddWithValue("$mailbox", mailbox);
        command.Parameters.AddWithValue("$now", StoredTime.Format(time.GetUtcNow()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Stores a batch of analysed emails and advances their sources' checkpoints in one
    /// transaction. Returns the events that are new, in event_id order; a message stored before
    /// (re-fetched after a crash) is skipped. A checkpoint moves only along its source's unbroken
    /// sequence (see <see cref="SourceCheckpoint"/>).
    /// </summary>
    public async Task<IReadOnlyList<StoredEvent>> AppendAsync(IReadOnlyList<AnalysedEmail> batch, CancellationToken cancellationToken)
    {
        var stored = new List<StoredEvent>(batch.Count);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);

        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO events (message_key, mailbox, folder, received_at, payload)
            VALUES ($key, $mailbox, $folder, $receivedAt, $payload)
            ON CONFLICT (message_key) DO NOTHING
            RETURNING event_id
            """;
        var key = insert.Parameters.Add("$key", SqliteType.Text);
        var mailbox = insert.Parameters.Add("$mailbox", SqliteType.Text);
        var folder = insert.Parameters.Add("$folder", SqliteType.Text);
        var receivedAt = insert.Parameters.Add("$receivedAt", SqliteType.Text);
        var payload = insert.Parameters.Add("$payload", SqliteType.Text);

        foreach (var email in batch)
        {
            var json = JsonSerializer.Serialize(email.Event, EmailEventJson.Wire.EmailEvent);
            key.Value = email.Event.Id;
            mailbox.Value = email.Event.Mailbox;
            folder.Value = email.Event.Folder;
            receivedAt.Value = email.Event.ReceivedAt;
            payload.Value = json;
            var eventId = await insert.ExecuteScalarAsync(cancellationToken);
            if (eventId is long id)
            {
                stored.Add(new StoredEvent(id, email.Event.Mailbox, json));
            }
        }

        foreach (var source in batch.Select(e => e.Checkpoint).GroupBy(c => c.Source))
        {
            await AdvanceAsync(connection, transaction, source.Key, source, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return stored;
    }

    private async Task AdvanceAsync(
        SqliteConnection connection, SqliteTransaction transaction, FolderKey source, IEnumerable<SourceCheckpoint> checkpoints, CancellationToken cancellationToken)
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

        await using var advance = connection.CreateCommand();
        advance.Transaction = transaction;
        advance.CommandText = """
            UPDATE source_positions SET sequence = $sequence, position = $position, updated_at = $now
            WHERE mailbox = $mailbox AND folder = $folder AND generation = $generation
            """;
        AddPositionParameters(advance, source, reached.Position.Serialize());
        advance.Parameters.AddWithValue("$sequence", reached.Sequence);
        advance.Parameters.AddWithValue("$generation", reached.Generation);
        await advance.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<StoredPosition?> ReadPositionAsync(
        SqliteConnection connection, SqliteTransaction? transaction, FolderKey source, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT generation, sequence, position FROM source_positions WHERE mailbox = $mailbox AND folder = $folder";
        command.Parameters.AddWithValue("$mailbox", source.Mailbox);
        command.Parameters.AddWithValue("$folder", source.Folder);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredPosition(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2))
            : null;
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
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT event_id, mailbox, payload FROM events
            WHERE event_id > $after AND ($visible IS NULL OR mailbox IN (SELECT value FROM json_each($visible)))
            ORDER BY event_id LIMIT $limit
            """;
        command.Parameters.AddWithValue("$after", afterEventId);
        command.Parameters.AddWithValue("$limit", limit);
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
        long? beforeEventId, int limit, string? mailbox, string? folder, long maxPayloadBytes, IReadOnlySet<string>? visible, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT event_id, mailbox, payload FROM events
            WHERE event_id < $before AND ($mailbox IS NULL OR mailbox = $mailbox) AND ($folder IS NULL OR folder = $folder)
              AND ($visible IS NULL OR mailbox IN (SELECT value FROM json_each($visible)))
            ORDER BY event_id DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$before", beforeEventId ?? long.MaxValue);
        command.Parameters.AddWithValue("$mailbox", (object?)mailbox ?? DBNull.Value);
        command.Parameters.AddWithValue("$folder", (object?)folder ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", limit);
        AddVisible(command, visible);
        return await ReadEventsAsync(command, maxPayloadBytes, cancellationToken);
    }

    /// <summary>The event of one message, by its stable id (<c>id</c> in <c>new_email</c>).</summary>
    public async Task<StoredEvent?> FindAsync(string messageId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT event_id, mailbox, payload FROM events WHERE message_key = $key";
        command.Parameters.AddWithValue("$key", messageId);
        return (await ReadEventsAsync(command, long.MaxValue, cancellationToken)).SingleOrDefault();
    }

    private static async Task<List<StoredEvent>> ReadEventsAsync(SqliteCommand command, long maxPayloadBytes, CancellationToken cancellationToken)
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

    private static void AddVisible(SqliteCommand command, IReadOnlySet<string>? visible) =>
        command.Parameters.AddWithValue("$visible", visible is null ? DBNull.Value : JsonSerializer.Serialize(visible.ToArray(), StorageJson.Default.StringArray));

    private void AddPositionParameters(SqliteCommand command, FolderKey source, string position)
    {
        command.Parameters.AddWithValue("$mailbox", source.Mailbox);
        command.Parameters.AddWithValue("$folder", source.Folder);
        command.Parameters.AddWithValue("$position", position);
        command.Parameters.AddWithValue("$now", StoredTime.Format(time.GetUtcNow()));
    }
}
