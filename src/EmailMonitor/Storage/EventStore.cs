using System.Text.Json;
using EmailMonitor.Analysis;
using EmailMonitor.Mail;
using Microsoft.Data.Sqlite;

namespace EmailMonitor.Storage;

/// <summary>
/// Events and folder checkpoints. An event and the checkpoint it advances commit in one
/// transaction, and the message id is unique, so a message can neither be lost between a crash
/// and a restart nor become two events.
/// </summary>
internal sealed class EventStore(Database database, TimeProvider time)
{
    public async Task<FolderCheckpoint?> GetCheckpointAsync(FolderKey folder, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT uid_validity, last_uid FROM checkpoints WHERE mailbox = $mailbox AND folder = $folder";
        command.Parameters.AddWithValue("$mailbox", folder.Mailbox);
        command.Parameters.AddWithValue("$folder", folder.Folder);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new FolderCheckpoint((uint)reader.GetInt64(0), (uint)reader.GetInt64(1))
            : null;
    }

    /// <summary>Sets a folder's checkpoint outright: on its first start, and when its UIDVALIDITY changed.</summary>
    public async Task ResetCheckpointAsync(FolderKey folder, FolderCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO checkpoints (mailbox, folder, uid_validity, last_uid, updated_at)
            VALUES ($mailbox, $folder, $uidValidity, $lastUid, $now)
            ON CONFLICT (mailbox, folder) DO UPDATE SET
                uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at = excluded.updated_at
            """;
        AddCheckpointParameters(command, folder, checkpoint.UidValidity, checkpoint.LastUid);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Stores a batch of analysed emails and advances their folders' checkpoints in one
    /// transaction. Returns the events that are new, in event_id order; a message stored before
    /// (re-fetched after a crash) is skipped.
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
            mailbox.Value = email.Folder.Mailbox;
            folder.Value = email.Folder.Folder;
            receivedAt.Value = email.Event.ReceivedAt;
            payload.Value = json;
            var eventId = await insert.ExecuteScalarAsync(cancellationToken);
            if (eventId is long id)
            {
                stored.Add(new StoredEvent(id, json));
            }
        }

        await using var advance = connection.CreateCommand();
        advance.Transaction = transaction;
        // Only under the same UIDVALIDITY: a message fetched before a UIDVALIDITY reset must not
        // move the reset checkpoint back to the old numbering.
        advance.CommandText = """
            UPDATE checkpoints SET last_uid = max(last_uid, $lastUid), updated_at = $now
            WHERE mailbox = $mailbox AND folder = $folder AND uid_validity = $uidValidity
            """;
        foreach (var position in batch.GroupBy(e => (e.Folder, e.UidValidity)))
        {
            advance.Parameters.Clear();
            AddCheckpointParameters(advance, position.Key.Folder, position.Key.UidValidity, position.Max(e => e.Uid));
            await advance.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return stored;
    }

    /// <summary>Events after <paramref name="afterEventId"/>, oldest first, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<StoredEvent>> ReadAfterAsync(long afterEventId, int limit, CancellationToken cancellationToken) =>
        ReadAfterAsync(afterEventId, limit, long.MaxValue, cancellationToken);

    /// <summary>
    /// Events after <paramref name="afterEventId"/>, oldest first, at most <paramref name="limit"/>,
    /// and no more once <paramref name="maxPayloadBytes"/> of them (UTF-8) have been read (the one that
    /// crossed it included): a page of large events stays a few megabytes.
    /// </summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadAfterAsync(long afterEventId, int limit, long maxPayloadBytes, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT event_id, payload FROM events WHERE event_id > $after ORDER BY event_id LIMIT $limit";
        command.Parameters.AddWithValue("$after", afterEventId);
        command.Parameters.AddWithValue("$limit", limit);
        return await ReadEventsAsync(command, maxPayloadBytes, cancellationToken);
    }

    /// <summary>
    /// Events before <paramref name="beforeEventId"/> (all when null), newest first, at most
    /// <paramref name="limit"/> and <paramref name="maxPayloadBytes"/> as in <see cref="ReadAfterAsync(long, int, long, CancellationToken)"/>,
    /// optionally of one mailbox and folder. Paging by event_id, not by offset, so a page never
    /// shifts when new mail arrives.
    /// </summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadBeforeAsync(
        long? beforeEventId, int limit, string? mailbox, string? folder, long maxPayloadBytes, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT event_id, payload FROM events
            WHERE event_id < $before AND ($mailbox IS NULL OR mailbox = $mailbox) AND ($folder IS NULL OR folder = $folder)
            ORDER BY event_id DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$before", beforeEventId ?? long.MaxValue);
        command.Parameters.AddWithValue("$mailbox", (object?)mailbox ?? DBNull.Value);
        command.Parameters.AddWithValue("$folder", (object?)folder ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", limit);
        return await ReadEventsAsync(command, maxPayloadBytes, cancellationToken);
    }

    /// <summary>The event of one message, by its stable id (<c>id</c> in <c>new_email</c>).</summary>
    public async Task<StoredEvent?> FindAsync(string messageId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT event_id, payload FROM events WHERE message_key = $key";
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
            var stored = new StoredEvent(reader.GetInt64(0), reader.GetString(1));
            bytes += stored.PayloadBytes;
            events.Add(stored);
        }

        return events;
    }

    private void AddCheckpointParameters(SqliteCommand command, FolderKey folder, uint uidValidity, uint lastUid)
    {
        command.Parameters.AddWithValue("$mailbox", folder.Mailbox);
        command.Parameters.AddWithValue("$folder", folder.Folder);
        command.Parameters.AddWithValue("$uidValidity", (long)uidValidity);
        command.Parameters.AddWithValue("$lastUid", (long)lastUid);
        command.Parameters.AddWithValue("$now", StoredTime.Format(time.GetUtcNow()));
    }
}
