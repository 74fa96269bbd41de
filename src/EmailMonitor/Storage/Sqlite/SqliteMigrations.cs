namespace EmailMonitor.Storage.Sqlite;

/// <summary>The schema on SQLite, one step per version (see <see cref="SqlDialect.Migrations"/>).</summary>
internal static class SqliteMigrations
{
    public static readonly string[] Steps =
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

        // 5: how far retention has deleted the event log, so resume can say when it asks for less than is left.
        """
        CREATE TABLE event_log_horizon (
            id               INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
            deleted_through  INTEGER NOT NULL
        );

        INSERT INTO event_log_horizon (id, deleted_through) VALUES (1, 0);
        """,

        // 6: the ring of access token signing keys, sealed (the root, JWT_SECRET_KEY, is never stored: its row only dates it).
        """
        CREATE TABLE signing_keys (
            kid         TEXT NOT NULL PRIMARY KEY,
            sealed_key  BLOB NULL,
            created_at  TEXT NOT NULL
        );
        """,

        // 7: one owner per mailbox among instances (leases with fencing tokens), and the instances alive.
        """
        CREATE TABLE mailbox_leases (
            mailbox     TEXT NOT NULL PRIMARY KEY,
            owner       TEXT NOT NULL,
            token       INTEGER NOT NULL,
            expires_at  INTEGER NOT NULL
        );

        CREATE TABLE instances (
            id           TEXT NOT NULL PRIMARY KEY,
            incarnation  TEXT NOT NULL,
            seen_at      INTEGER NOT NULL
        );

        ALTER TABLE source_positions ADD COLUMN fence INTEGER NOT NULL DEFAULT 0;
        """,

        // 8: each lease holder's report of its folders, so every instance shows their real state.
        """
        ALTER TABLE mailbox_leases ADD COLUMN folders TEXT NOT NULL DEFAULT '[]';
        """,

        // 9: webhooks, each with its cursor over the event log, their deliveries and the attempts of each.
        """
        CREATE TABLE webhooks (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            settings         TEXT NOT NULL,
            secrets          BLOB NOT NULL,
            cursor           INTEGER NOT NULL,
            created_at       TEXT NOT NULL,
            last_success_at  TEXT NULL,
            last_failure_at  TEXT NULL
        );

        CREATE TABLE webhook_deliveries (
            id                INTEGER PRIMARY KEY AUTOINCREMENT,
            webhook_id        INTEGER NOT NULL,
            event_id          INTEGER NOT NULL,
            state             TEXT NOT NULL,
            attempts          INTEGER NOT NULL,
            first_attempt_at  INTEGER NULL,
            next_attempt_at   INTEGER NOT NULL,
            claimed_until     INTEGER NOT NULL,
            claimed_by        TEXT NULL,
            created_at        TEXT NOT NULL,
            finished_at       TEXT NULL,
            UNIQUE (webhook_id, event_id)
        );

        CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
        CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, state, id);
        CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (state, event_id);
        CREATE INDEX webhook_deliveries_ended ON webhook_deliveries (state, finished_at);

        CREATE TABLE webhook_attempts (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            delivery_id   INTEGER NOT NULL,
            attempted_at  TEXT NOT NULL,
            status        INTEGER NULL,
            error         TEXT NULL,
            duration_ms   INTEGER NOT NULL
        );

        CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_id);
        """,

        // 10: rules, with a revision every change moves (how instances notice one), and the webhooks
        // a rule routed each event to.
        """
        CREATE TABLE rules (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            definition  TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            updated_at  TEXT NOT NULL
        );

        CREATE TABLE rules_revision (
            revision  INTEGER NOT NULL
        );

        INSERT INTO rules_revision (revision) VALUES (0);

        ALTER TABLE events ADD COLUMN routes TEXT NULL;
        """,

        // 11: e-mail alerts: one state row (cursor over the event log, whether alerts were on, when
        // the last alert went, who is sending) and the risky events waiting for the next alert.
        """
        CREATE TABLE alert_state (
            cursor         INTEGER NOT NULL,
            enabled        INTEGER NOT NULL,
            last_sent_at   INTEGER NULL,
            claimed_until  INTEGER NOT NULL,
            claimed_by     TEXT NULL
        );

        INSERT INTO alert_state (cursor, enabled, claimed_until) VALUES (0, 0, 0);

        CREATE TABLE alert_queue (
            event_id  INTEGER NOT NULL PRIMARY KEY
        );
        """,

        // 12: search, and the header block as it arrived (for analysts; NULL when unknown). An
        // event's risk score, flags and tags as columns to filter on (flags and tags as " a b "),
        // with an index of their own so that filtering never reads the payloads, and its words
        // (Search/SearchWords) in a full-text index that keeps no copy of the text. Events stored
        // before this step are indexed after start-up, newest first; search_indexed tells which
        // are done.
        """
        ALTER TABLE events ADD COLUMN risk_score INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE events ADD COLUMN flags TEXT NOT NULL DEFAULT ' ';
        ALTER TABLE events ADD COLUMN tags TEXT NOT NULL DEFAULT ' ';
        ALTER TABLE events ADD COLUMN headers TEXT NULL;
        ALTER TABLE events ADD COLUMN search_indexed INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX events_filters ON events (event_id, search_indexed, risk_score, flags, tags);

        CREATE VIRTUAL TABLE events_search USING fts5(
            words, content = '', contentless_delete = 1,
            tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'");

        CREATE TRIGGER events_search_delete AFTER DELETE ON events BEGIN
            DELETE FROM events_search WHERE rowid = old.event_id;
        END;
        """,
    ];
}
