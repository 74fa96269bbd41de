using EmailMonitor.Analysis;
using EmailMonitor.Mail;
using EmailMonitor.Pipeline;
using EmailMonitor.Storage;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EmailMonitor.Tests.Storage;

/// <summary>
/// The event store on each engine (a real SQLite file, a real PostgreSQL database): one event per
/// message, checkpoints that move with their events, in order.
/// </summary>
public sealed class EventStoreTests : IAsyncDisposable
{
    private static readonly FolderKey Inbox = new("default", "INBOX");
    private readonly TempDirectory _directory = new();
    private readonly FakeLogger<EventStore> _log = new();
    private readonly List<Database> _databases = [];
    private StorageOptions _settings = null!;
    private Database _database = null!;
    private EventStore _store = null!;

    public static TheoryData<string> Engines => [.. TestDatabases.Engines];

    private void Use(string engine)
    {
        _settings = TestDatabases.Settings(engine, _directory.Path);
        _database = Open();
        _store = new EventStore(_database, new FakeTimeProvider(DateTimeOffset.UtcNow), _log);
    }

    // Another handle on the same database, with its own connections, as another instance has.
    private Database Open()
    {
        var database = new Database(Microsoft.Extensions.Options.Options.Create(_settings));
        _databases.Add(database);
        return database;
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Storing_advances_the_checkpoint_in_the_same_commit_and_a_message_is_stored_once(string engine)
    {
        Use(engine);
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        var start = await _store.ResetPositionAsync(Inbox, "p0", 0, TestContext.Current.CancellationToken);

        var first = (await _store.AppendAsync([Email(start, 1, "m1"), Email(start, 2, "m2")], TestContext.Current.CancellationToken)).Events;
        var again = (await _store.AppendAsync([Email(start, 2, "m2"), Email(start, 3, "m3")], TestContext.Current.CancellationToken)).Events;

        Assert.Equal(2, first.Count);
        Assert.Single(again);
        Assert.True(again[0].EventId > first[1].EventId);
        Assert.Equal(new StoredPosition(start.Generation, 3, "after m3"), await _store.GetPositionAsync(Inbox, TestContext.Current.CancellationToken));
        Assert.Equal(3, (await _store.ReadAfterAsync(0, 100, TestContext.Current.CancellationToken)).Count);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task An_email_committed_out_of_order_never_moves_the_checkpoint_past_one_not_yet_stored_and_says_so(string engine)
    {
        Use(engine);
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        var start = await _store.ResetPositionAsync(Inbox, "p0", 0, TestContext.Current.CancellationToken);
        await _store.AppendAsync([Email(start, 1, "m1")], TestContext.Current.CancellationToken);

        // As parallel analysis would: email 3 finished before email 2.
        var early = await _store.AppendAsync([Email(start, 3, "m3")], TestContext.Current.CancellationToken);

        Assert.Single(early.Events);
        Assert.Equal(new StoredPosition(start.Generation, 1, "after m1"), await _store.GetPositionAsync(Inbox, TestContext.Current.CancellationToken));
        var error = Assert.Single(_log.Collector.GetSnapshot(), r => r.Level == LogLevel.Error);
        Assert.Contains("out of order", error.Message);
        Assert.Contains("default/INBOX", error.Message);

        // Once 2 arrives, the unbroken run reaches 3 again (redelivered, as a restart would).
        await _store.AppendAsync([Email(start, 2, "m2"), Email(start, 3, "m3")], TestContext.Current.CancellationToken);
        Assert.Equal(new StoredPosition(start.Generation, 3, "after m3"), await _store.GetPositionAsync(Inbox, TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Emails_handed_over_before_a_reset_never_move_the_new_checkpoint(string engine)
    {
        Use(engine);
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        var old = await _store.ResetPositionAsync(Inbox, "7:10", 0, TestContext.Current.CancellationToken);
        await _store.AppendAsync([Email(old, 1, "m1")], TestContext.Current.CancellationToken);

        var renumbered = await _store.ResetPositionAsync(Inbox, "8:3", 0, TestContext.Current.CancellationToken);
        await _store.AppendAsync([Email(old, 2, "m2")], TestContext.Current.CancellationToken);

        Assert.Equal(old.Generation + 1, renumbered.Generation);
        Assert.Equal(new StoredPosition(renumbered.Generation, 0, "8:3"), await _store.GetPositionAsync(Inbox, TestContext.Current.CancellationToken));
        Assert.DoesNotContain(_log.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_forgotten_source_starts_afresh_and_late_emails_of_its_old_positions_never_move_the_new_one(string engine)
    {
        Use(engine);
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        var old = await _store.ResetPositionAsync(Inbox, "old account", 0, TestContext.Current.CancellationToken);

        await _store.ForgetPositionsAsync("default", TestContext.Current.CancellationToken);
        Assert.Null(await _store.GetPositionAsync(Inbox, TestContext.Current.CancellationToken));
        var fresh = await _store.ResetPositionAsync(Inbox, "new account", 0, TestContext.Current.CancellationToken);
        var stored = await _store.AppendAsync([Email(old, 1, "m1")], TestContext.Current.CancellationToken);

        Assert.Single(stored.Events);
        Assert.True(fresh.Generation > old.Generation);
        Assert.Equal(new StoredPosition(fresh.Generation, 0, "new account"), await _store.GetPositionAsync(Inbox, TestContext.Current.CancellationToken));
        Assert.DoesNotContain(_log.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Event_ids_are_never_reused_and_replay_reads_them_in_order_in_pages(string engine)
    {
        Use(engine);
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        var start = await _store.ResetPositionAsync(Inbox, "p0", 0, TestContext.Current.CancellationToken);
        var stored = (await _store.AppendAsync([.. Enumerable.Range(1, 25).Select(n => Email(start, n, $"m{n}"))], TestContext.Current.CancellationToken)).Events;

        var firstPage = await _store.ReadAfterAsync(0, 10, TestContext.Current.CancellationToken);
        var secondPage = await _store.ReadAfterAsync(firstPage[^1].EventId, 10, TestContext.Current.CancellationToken);

        Assert.Equal(stored.Take(10).Select(e => e.EventId), firstPage.Select(e => e.EventId));
        Assert.Equal(stored.Skip(10).Take(10).Select(e => e.EventId), secondPage.Select(e => e.EventId));
        Assert.Contains("\"subject\":\"m11\"", secondPage[0].Payload);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_version_2_database_keeps_its_folder_checkpoints_as_imap_positions(string engine)
    {
        Use(engine);
        await using (var connection = await _database.OpenAsync(TestContext.Current.CancellationToken))
        {
            await SchemaMigrations.ApplyAsync(connection, _database.Sql, TestContext.Current.CancellationToken, upTo: 2);
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO checkpoints VALUES ('default', 'INBOX', 4000000000, 42, '2026-11-26T00:00:00.000Z')";
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await _database.MigrateAsync(TestContext.Current.CancellationToken);

        var position = await _store.GetPositionAsync(Inbox, TestContext.Current.CancellationToken);
        Assert.NotNull(position);
        Assert.Equal(new ImapPosition(4_000_000_000, 42), ImapPosition.Parse(position.Value));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Migrating_twice_keeps_the_data_and_a_newer_schema_is_refused(string engine)
    {
        Use(engine);
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        var start = await _store.ResetPositionAsync(Inbox, "p0", 0, TestContext.Current.CancellationToken);
        await _store.AppendAsync([Email(start, 1, "m1")], TestContext.Current.CancellationToken);

        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        Assert.Single(await _store.ReadAfterAsync(0, 10, TestContext.Current.CancellationToken));

        await using (var connection = await _database.OpenAsync(TestContext.Current.CancellationToken))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = _database.Sql.SetVersion(_database.Sql.Migrations.Count + 1);
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _database.MigrateAsync(TestContext.Current.CancellationToken));
        Assert.Contains("newer than this build understands", error.Message);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Writers_on_several_instances_commit_in_event_id_order_so_a_reader_following_the_log_misses_nothing(string engine)
    {
        Use(engine);
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        using var done = new CancellationTokenSource();
        var seen = new List<long>();
        var follower = Task.Run(async () =>
        {
            // Reads as resume does: everything after the last id it saw, again and again.
            var cursor = 0L;
            while (true)
            {
                var finished = done.IsCancellationRequested;
                foreach (var stored in await _store.ReadAfterAsync(cursor, 1000, TestContext.Current.CancellationToken))
                {
                    seen.Add(stored.EventId);
                    cursor = stored.EventId;
                }

                if (finished)
                {
                    return;
                }
            }
        }, TestContext.Current.CancellationToken);

        var writers = Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
        {
            var store = new EventStore(Open(), TimeProvider.System, _log);
            var committed = new List<long>();
            for (var batch = 0; batch < 40; batch++)
            {
                var emails = Enumerable.Range(0, 1 + (batch % 3)).Select(n => Email(new StoredPosition(1, 0, ""), 0, $"w{writer}-b{batch}-{n}")).ToList();
                committed.AddRange((await store.AppendAsync(emails, TestContext.Current.CancellationToken)).Events.Select(e => e.EventId));
            }

            return committed;
        }, TestContext.Current.CancellationToken)).ToList();

        var all = (await Task.WhenAll(writers)).SelectMany(ids => ids).Order().ToList();
        await done.CancelAsync();
        await follower;

        Assert.Equal(4 * Enumerable.Range(0, 40).Sum(batch => 1 + (batch % 3)), all.Count);
        // Every committed event reached the follower once, in order: none was committed behind its cursor.
        Assert.Equal(all, seen);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_commit_log_reader_gets_every_event_once_in_order_whether_announced_late_twice_or_never(string engine)
    {
        Use(engine);
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        var log = new CommitLog();
        var reader = new RecordingReader(log, _store, until: 7);
        await reader.StartAsync(TestContext.Current.CancellationToken);
        var start = new StoredPosition(1, 0, "");

        var never = await _store.AppendAsync([Email(start, 0, "a1"), Email(start, 0, "a2"), Email(start, 0, "a3")], TestContext.Current.CancellationToken);
        var late = await _store.AppendAsync([Email(start, 0, "b1"), Email(start, 0, "b2")], TestContext.Current.CancellationToken);
        var twice = await _store.AppendAsync([Email(start, 0, "c1")], TestContext.Current.CancellationToken);
        log.Announce(twice);
        log.Announce(late);
        log.Announce(twice);
        log.Announce(await _store.AppendAsync([Email(start, 0, "d1")], TestContext.Current.CancellationToken));

        var received = await reader.Received.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await reader.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(3, never.End);
        Assert.Equal(never.End, late.After);
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], received);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_notice_that_the_log_reaches_beyond_its_end_never_moves_a_reader_past_events_committed_meanwhile(string engine)
    {
        Use(engine);
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        const int Emails = 150;
        var log = new CommitLog();
        var reader = new RecordingReader(log, _store, until: Emails);
        await reader.StartAsync(TestContext.Current.CancellationToken);
        var start = new StoredPosition(1, 0, "");
        using var writing = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        // A forged or broken notice says the log ends far beyond what it holds: the reader finds
        // nothing more, and must not take the end of time, or what was committed while it looked, as read.
        var notices = Task.Run(async () =>
        {
            while (!writing.IsCancellationRequested)
            {
                log.Announce(CommittedEvents.Notice(long.MaxValue));
                await Task.Yield();
            }
        }, TestContext.Current.CancellationToken);
        IReadOnlyList<long> received;
        try
        {
            for (var n = 0; n < Emails; n++)
            {
                log.Announce(await _store.AppendAsync([Email(start, 0, $"n{n}")], TestContext.Current.CancellationToken));
            }

            received = await reader.Received.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }
        finally
        {
            await writing.CancelAsync();
            await notices;
            await reader.StopAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal(Enumerable.Range(1, Emails).Select(id => (long)id), received);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Retention_deletes_only_from_the_old_end_by_age_and_by_count_in_batches_and_remembers_how_far(string engine)
    {
        Use(engine);
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        var day = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var start = new StoredPosition(1, 0, "");
        // Received on days 1..6, except that the third was stamped late (another instance's clock).
        var days = new[] { 1, 2, 9, 3, 5, 6 };
        var ids = new List<long>();
        foreach (var (n, d) in days.Index())
        {
            ids.AddRange((await _store.AppendAsync([Email(start, 0, $"r{n}", day.AddDays(d))], TestContext.Current.CancellationToken)).Events.Select(e => e.EventId));
        }

        // By age (before day 4), one batch of two at a time: the late stamp ends the prefix.
        Assert.Equal(2, await _store.DeleteOldestAsync(day.AddDays(4), 0, 2, TestContext.Current.CancellationToken));
        Assert.Equal(0, await _store.DeleteOldestAsync(day.AddDays(4), 0, 2, TestContext.Current.CancellationToken));
        Assert.Equal(ids[1], await _store.DeletedThroughAsync(TestContext.Current.CancellationToken));

        // By count: keep the newest two.
        Assert.Equal(2, await _store.DeleteOldestAsync(null, 2, 100, TestContext.Current.CancellationToken));
        Assert.Equal(ids[4..], (await _store.ReadAfterAsync(0, 100, TestContext.Current.CancellationToken)).Select(e => e.EventId));
        Assert.Equal(ids[3], await _store.DeletedThroughAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await _store.DeleteOldestAsync(null, 2, 100, TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task An_owner_whose_lease_passed_on_commits_nothing_and_its_successor_commits(string engine)
    {
        Use(engine);
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        await using (var connection = await _database.OpenAsync(TestContext.Current.CancellationToken))
        {
            await connection.ExecuteAsync("INSERT INTO mailbox_leases (mailbox, owner, token, expires_at) VALUES ('default', 'first', 1, 0)", TestContext.Current.CancellationToken);
        }

        var start = await _store.ResetPositionAsync(Inbox, "p0", 1, TestContext.Current.CancellationToken);
        await _store.AppendAsync([Fenced(Email(start, 1, "m1"), 1)], TestContext.Current.CancellationToken);

        // Another instance took the lease over (token 2) while this one stalled with m2 in hand.
        await using (var connection = await _database.OpenAsync(TestContext.Current.CancellationToken))
        {
            await connection.ExecuteAsync("UPDATE mailbox_leases SET owner = 'second', token = 2", TestContext.Current.CancellationToken);
        }

        var stale = await _store.AppendAsync([Fenced(Email(start, 2, "m2"), 1)], TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<FencedException>(() => _store.ResetPositionAsync(Inbox, "p9", 1, TestContext.Current.CancellationToken));
        var successor = await _store.AppendAsync([Fenced(Email(start, 2, "m2"), 2)], TestContext.Current.CancellationToken);

        Assert.Empty(stale.Events);
        Assert.Single(successor.Events);
        Assert.Equal(new StoredPosition(start.Generation, 2, "after m2"), await _store.GetPositionAsync(Inbox, TestContext.Current.CancellationToken));
        Assert.Contains(_log.Collector.GetSnapshot(), r => r.Message.Contains("their lease 1 has passed to another instance", StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    private static AnalysedEmail Email(StoredPosition numbering, long sequence, string name, DateTimeOffset? receivedAt = null) =>
        new(
            new EmailEvent
            {
                Id = $"default:INBOX:{name}",
                Subject = name,
                ReceivedAt = receivedAt is { } at ? StoredTime.Format(at) : "2026-11-26T00:00:00.000Z",
                Mailbox = Inbox.Mailbox,
                Folder = Inbox.Folder,
            },
            new SourceCheckpoint(Inbox, numbering.Generation, sequence, new Position("after " + name)));

    private static AnalysedEmail Fenced(AnalysedEmail email, long fence) => email with { Checkpoint = email.Checkpoint with { Fence = fence } };

    private sealed class RecordingReader(CommitLog log, EventStore store, long until)
        : CommitLogReader(log, store, TimeProvider.System, new FakeLogger<RecordingReader>())
    {
        private readonly List<long> _received = [];
        private readonly TaskCompletionSource<IReadOnlyList<long>> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<IReadOnlyList<long>> Received => _done.Task;

        protected override string Name => "test";

        protected override Task<long> StartingPointAsync(CancellationToken cancellationToken) => Task.FromResult(0L);

        protected override Task HandleAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
        {
            _received.AddRange(events.Select(e => e.EventId));
            if (_received[^1] >= until)
            {
                _done.TrySetResult([.. _received]);
            }

            return Task.CompletedTask;
        }
    }

    private sealed record Position(string Value) : ISourcePosition
    {
        public string Serialize() => Value;
    }
}
