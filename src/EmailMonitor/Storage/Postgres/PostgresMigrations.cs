namespace EmailMonitor.Storage.Postgres;

/// <summary>
/// The schema on PostgreSQL, step for step the same tables as <see cref="Sqlite.SqliteMigrations"/>.
/// Instants stay ISO 8601 text as on SQLite, so both engines sort and compare them alike; user
/// names compare without case through an ICU collation, as SQLite's NOCASE does.
/// </summary>
internal static class PostgresMigrations
{
    public static readonly string[] Steps =
    [
        // 1: events, checkpoints, users and refresh tokens.
        """
        CREATE COLLATION IF NOT EXISTS nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

        CREATE TABLE events (
            event_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            message_key  text NOT NULL UNIQUE,
            mailbox      text NOT NULL,
            folder       text NOT NULL,
            received_at  text NOT NULL,
            payload      text NOT NULL
        );

        CREATE TABLE checkpoints (
            mailbox       text NOT NULL,
            folder        text NOT NULL,
            uid_validity  bigint NOT NULL,
            last_uid      bigint NOT NULL,
            updated_at    text NOT NULL,
            PRIMARY KEY (mailbox, folder)
        );

        CREATE TABLE users (
            username         text COLLATE nocase NOT NULL PRIMARY KEY,
            password_hash    text NOT NULL,
            role             text NOT NULL CHECK (role IN ('admin', 'viewer')),
            disabled         bigint NOT NULL DEFAULT 0,
            failed_attempts  bigint NOT NULL DEFAULT 0,
            locked_until     text NULL,
            created_at       text NOT NULL
        );

        CREATE TABLE refresh_tokens (
            token_hash  text NOT NULL PRIMARY KEY,
            family_id   text NOT NULL,
            username    text COLLATE nocase NOT NULL,
            created_at  text NOT NULL,
            expires_at  text NOT NULL,
            used_at     text NULL,
            revoked_at  text NULL
        );

        CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
        """,

        // 2: IP blocks, so a restart does not forgive.
        """
        CREATE TABLE ip_blocks (
            ip          text NOT NULL PRIMARY KEY,
            reason      text NOT NULL,
            blocked_at  text NOT NULL,
            expires_at  text NOT NULL
        );
        """,

        // 3: checkpoints become opaque source positions, numbered so Storage can check their order.
        """
        CREATE TABLE source_positions (
            mailbox     text NOT NULL,
            folder      text NOT NULL,
            generation  bigint NOT NULL,
            sequence    bigint NOT NULL,
            position    text NOT NULL,
            updated_at  text NOT NULL,
            PRIMARY KEY (mailbox, folder)
        );

        INSERT INTO source_positions (mailbox, folder, generation, sequence, position, updated_at)
        SELECT mailbox, folder, 1, 0, uid_validity || ':' || last_uid, updated_at FROM checkpoints;

        DROP TABLE checkpoints;
        """,

        // 4: mailboxes as data (credentials sealed), paused mailboxes, and the mailboxes a user may see (NULL = all).
        """
        CREATE TABLE mailboxes (
            name        text NOT NULL PRIMARY KEY,
            settings    text NOT NULL,
            secrets     bytea NOT NULL,
            created_at  text NOT NULL,
            updated_at  text NOT NULL
        );

        CREATE TABLE paused_mailboxes (
            name       text NOT NULL PRIMARY KEY,
            paused_at  text NOT NULL
        );

        ALTER TABLE users ADD COLUMN mailboxes text NULL;
        """,

        // 5: how far retention has deleted the event log, so resume can say when it asks for less than is left.
        """
        CREATE TABLE event_log_horizon (
            id               integer NOT NULL PRIMARY KEY CHECK (id = 1),
            deleted_through  bigint NOT NULL
        );

        INSERT INTO event_log_horizon (id, deleted_through) VALUES (1, 0);
        """,

        // 6: the ring of access token signing keys, sealed (the root, JWT_SECRET_KEY, is never stored: its row only dates it).
        """
        CREATE TABLE signing_keys (
            kid         text NOT NULL PRIMARY KEY,
            sealed_key  bytea NULL,
            created_at  text NOT NULL
        );
        """,

        // 7: one owner per mailbox among instances (leases with fencing tokens), and the instances alive.
        """
        CREATE TABLE mailbox_leases (
            mailbox     text NOT NULL PRIMARY KEY,
            owner       text NOT NULL,
            token       bigint NOT NULL,
            expires_at  bigint NOT NULL
        );

        CREATE TABLE instances (
            id           text NOT NULL PRIMARY KEY,
            incarnation  text NOT NULL,
            seen_at      bigint NOT NULL
        );

        ALTER TABLE source_positions ADD COLUMN fence bigint NOT NULL DEFAULT 0;
        """,

        // 8: each lease holder's report of its folders, so every instance shows their real state.
        """
        ALTER TABLE mailbox_leases ADD COLUMN folders text NOT NULL DEFAULT '[]';
        """,

        // 9: webhooks, each with its cursor over the event log, their deliveries and the attempts of each.
        """
        CREATE TABLE webhooks (
            id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            settings         text NOT NULL,
            secrets          bytea NOT NULL,
            cursor           bigint NOT NULL,
            created_at       text NOT NULL,
            last_success_at  text NULL,
            last_failure_at  text NULL
        );

        CREATE TABLE webhook_deliveries (
            id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            webhook_id        bigint NOT NULL,
            event_id          bigint NOT NULL,
            state             text NOT NULL,
            attempts          bigint NOT NULL,
            first_attempt_at  bigint NULL,
            next_attempt_at   bigint NOT NULL,
            claimed_until     bigint NOT NULL,
            claimed_by        text NULL,
            created_at        text NOT NULL,
            finished_at       text NULL,
            UNIQUE (webhook_id, event_id)
        );

        CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
        CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, state, id);
        CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (state, event_id);
        CREATE INDEX webhook_deliveries_ended ON webhook_deliveries (state, finished_at);

        CREATE TABLE webhook_attempts (
            id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            delivery_id   bigint NOT NULL,
            attempted_at  text NOT NULL,
            status        bigint NULL,
            error         text NULL,
            duration_ms   bigint NOT NULL
        );

        CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_id);
        """,

        // 10: rules, with a revision every change moves (how instances notice one), and the webhooks
        // a rule routed each event to.
        """
        CREATE TABLE rules (
            id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            definition  text NOT NULL,
            created_at  text NOT NULL,
            updated_at  text NOT NULL
        );

        CREATE TABLE rules_revision (
            revision  bigint NOT NULL
        );

        INSERT INTO rules_revision (revision) VALUES (0);

        ALTER TABLE events ADD COLUMN routes text NULL;
        """,

        // 11: e-mail alerts: one state row (cursor over the event log, whether alerts were on, when
        // the last alert went, who is sending) and the risky events waiting for the next alert.
        """
        CREATE TABLE alert_state (
            cursor         bigint NOT NULL,
            enabled        bigint NOT NULL,
            last_sent_at   bigint NULL,
            claimed_until  bigint NOT NULL,
            claimed_by     text NULL
        );

        INSERT INTO alert_state (cursor, enabled, claimed_until) VALUES (0, 0, 0);

        CREATE TABLE alert_queue (
            event_id  bigint NOT NULL PRIMARY KEY
        );
        """,

        // 12: search, and the header block as it arrived (for analysts; NULL when unknown). An
        // event's risk score, flags and tags as columns to filter on (flags and tags as " a b "),
        // and its words (Search/SearchWords) as a text search vector with a GIN
        // index. Events stored before this step are indexed after start-up, newest first;
        // search_indexed tells which are done. Columns with constant defaults and an index of
        // NULLs: the step rewrites nothing, however many events there are.
        """
        ALTER TABLE events ADD COLUMN risk_score bigint NOT NULL DEFAULT 0;
        ALTER TABLE events ADD COLUMN flags text NOT NULL DEFAULT ' ';
        ALTER TABLE events ADD COLUMN tags text NOT NULL DEFAULT ' ';
        ALTER TABLE events ADD COLUMN headers text NULL;
        ALTER TABLE events ADD COLUMN search_indexed bigint NOT NULL DEFAULT 0;
        ALTER TABLE events ADD COLUMN search tsvector NULL;
        CREATE INDEX events_search ON events USING gin (search);
        """,
    ];
}
