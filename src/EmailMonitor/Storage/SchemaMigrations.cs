using System.Globalization;
using Microsoft.Data.Sqlite;

namespace EmailMonitor.Storage;

/// <summary>
/// Versioned schema changes, applied in order inside one transaction each. The version lives in
/// SQLite's <c>user_version</c>; a migration once released is never edited, only followed.
/// </summary>
internal static class SchemaMigrations
{
    private static readonly string[] Steps =
    [
        // 1: events, checkpoints, users and refresh tokens.
        """
        CREATE TABLE events (
            event_id     INTEGER PRIMARY KEY AUTOINCREMENT,
            message_key  TEXT NOT NULL UNIQUE,
            mailbox      TEXT NOT NULL,
            folder       TEXT NOT NULL,
            received_at  TEXT NOT NULL,
            payload      TEXT NOT NULL
        );

        CREATE TABLE checkpoints (
            mailbox       TEXT NOT NULL,
            folder        TEXT NOT NULL,
            uid_validity  INTEGER NOT NULL,
            last_uid      INTEGER NOT NULL,
            updated_at    TEXT NOT NULL,
            PRIMARY KEY (mailbox, folder)
        );

        CREATE TABLE users (
            username         TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
            password_hash    TEXT NOT NULL,
            role             TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
            disabled         INTEGER NOT NULL DEFAULT 0,
            failed_attempts  INTEGER NOT NULL DEFAULT 0,
            locked_until     TEXT NULL,
            created_at       TEXT NOT NULL
        );

        CREATE TABLE refresh_tokens (
            token_hash  TEXT NOT NULL PRIMARY KEY,
            family_id   TEXT NOT NULL,
            username    TEXT NOT NULL COLLATE NOCASE,
            created_at  TEXT NOT NULL,
            expires_at  TEXT NOT NULL,
            used_at     TEXT NULL,
            revoked_at  TEXT NULL
        );

        CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
        """,

        // 2: IP blocks, so a restart does not forgive.
        """
        CREATE TABLE ip_blocks (
            ip          TEXT NOT NULL PRIMARY KEY,
            reason      TEXT NOT NULL,
            blocked_at  TEXT NOT NULL,
            expires_at  TEXT NOT NULL
        );
        """,

        // 3: checkpoints become opaque source positions, numbered so Storage can check their order.
        """
        CREATE TABLE source_positions (
            mailbox     TEXT NOT NULL,
            folder      TEXT NOT NULL,
            generation  INTEGER NOT NULL,
            sequence    INTEGER NOT NULL,
            position    TEXT NOT NULL,
            updated_at  TEXT NOT NULL,
            PRIMARY KEY (mailbox, folder)
        );

        INSERT INTO source_positions (mailbox, folder, generation, sequence, position, updated_at)
        SELECT mailbox, folder, 1, 0, uid_validity || ':' || last_uid, updated_at FROM checkpoints;

        DROP TABLE checkpoints;
        """,

        // 4: mailboxes as data (credentials sealed), paused mailboxes, and the mailboxes a user may see (NULL = all).
        """
        CREATE TABLE mailboxes (
            name        TEXT NOT NULL PRIMARY KEY,
            settings    TEXT NOT NULL,
            secrets     BLOB NOT NULL,
            created_at  TEXT NOT NULL,
            updated_at  TEXT NOT NULL
        );

        CREATE TABLE paused_mailboxes (
            name       TEXT NOT NULL PRIMARY KEY,
            paused_at  TEXT NOT NULL
        );

        ALTER TABLE users ADD COLUMN mailboxes TEXT NULL;
        """,
    ];

    public static int LatestVersion => Steps.Length;

    // upTo stops at that version: a test of one migration starts from the version before it.
    public static async Task ApplyAsync(SqliteConnection connection, CancellationToken cancellationToken, int? upTo = null)
    {
        var current = await GetVersionAsync(connection, cancellationToken);
        if (current > Steps.Length)
        {
            throw new InvalidOperationException(
                $"The database schema is version {current}, newer than this build understands ({Steps.Length}). Run a newer email-monitor.");
        }

        for (var version = current + 1; version <= (upTo ?? Steps.Length); version++)
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Steps[version - 1] + $"\nPRAGMA user_version = {version.ToString(CultureInfo.InvariantCulture)};";
            await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    public static async Task<int> GetVersionAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }
}
