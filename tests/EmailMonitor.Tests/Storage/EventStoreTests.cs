using EmailMonitor.Analysis;
using EmailMonitor.Mail;
using EmailMonitor.Pipeline;
using EmailMonitor.Storage;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EmailMonitor.Tests.Storage;

/// <summary>The event store on a real SQLite file: one event per message, checkpoints that move with their events, in order.</summary>
public sealed class EventStoreTests : IDisposable
{
    private static readonly FolderKey Inbox = new("default", "INBOX");
    private readonly TempDirectory _directory = new();
    private readonly Database _database;
    private readonly FakeLogger<EventStore> _log = new();
    private readonly EventStore _store;

    public EventStoreTests()
    {
        _database = new Database(Options.Create(new StorageOptions { DataDirectory = _directory.Path }));
        _store = new EventStore(_database, new FakeTimeProvider(DateTimeOffset.UtcNow), _log);
    }

    [Fact]
    public async Task Storing_advances_the_checkpoint_in_the_same_commit_and_a_message_is_stored_once()
    {
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        var start = await _store.ResetPositionAsync(Inbox, "p0", TestContext.Current.CancellationToken);

        var first = await _store.AppendAsync([Email(start, 1, "m1"), Email(start, 2, "m2")], TestContext.Current.CancellationToken);
        var again = await _store.AppendAsync([Email(start, 2, "m2"), Email(start, 3, "m3")], TestContext.Current.CancellationToken);

        Assert.Equal(2, first.Count);
        Assert.Single(again);
        Assert.True(again[0].EventId > first[1].EventId);
        Assert.Equal(new StoredPosition(start.Generation, 3, "after m3"), await _store.GetPositionAsync(Inbox, TestContext.Current.CancellationToken));
        Assert.Equal(3, (await _store.ReadAfterAsync(0, 100, TestContext.Current.CancellationToken)).Count);
    }

    [Fact]
    public async Task An_email_committed_out_of_order_never_moves_the_checkpoint_past_one_not_yet_stored_and_says_so()
    {
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        var start = await _store.ResetPositionAsync(Inbox, "p0", TestContext.Current.CancellationToken);
        await _store.AppendAsync([Email(start, 1, "m1")], TestContext.Current.CancellationToken);

        // As parallel analysis would: email 3 finished before email 2.
        var early = await _store.AppendAsync([Email(start, 3, "m3")], TestContext.Current.CancellationToken);

        Assert.Single(early);
        Assert.Equal(new StoredPosition(start.Generation, 1, "after m1"), await _store.GetPositionAsync(Inbox, TestContext.Current.CancellationToken));
        var error = Assert.Single(_log.Collector.GetSnapshot(), r => r.Level == LogLevel.Error);
        Assert.Contains("out of order", error.Message);
        Assert.Contains("default/INBOX", error.Message);

        // Once 2 arrives, the unbroken run reaches 3 again (redelivered, as a restart would).
        await _store.AppendAsync([Email(start, 2, "m2"), Email(start, 3, "m3")], TestContext.Current.CancellationToken);
        Assert.Equal(new StoredPosition(start.Generation, 3, "after m3"), await _store.GetPositionAsync(Inbox, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Emails_handed_over_before_a_reset_never_move_the_new_checkpoint()
    {
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        var old = await _store.ResetPositionAsync(Inbox, "7:10", TestContext.Current.CancellationToken);
        await _store.AppendAsync([Email(old, 1, "m1")], TestContext.Current.CancellationToken);

        var renumbered = await _store.ResetPositionAsync(Inbox, "8:3", TestContext.Current.CancellationToken);
        await _store.AppendAsync([Email(old, 2, "m2")], TestContext.Current.CancellationToken);

        Assert.Equal(old.Generation + 1, renumbered.Generation);
        Assert.Equal(new StoredPosition(renumbered.Generation, 0, "8:3"), await _store.GetPositionAsync(Inbox, TestContext.Current.CancellationToken));
        Assert.DoesNotContain(_log.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_forgotten_source_starts_afresh_and_late_emails_of_its_old_positions_never_move_the_new_one()
    {
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        var old = await _store.ResetPositionAsync(Inbox, "old account", TestContext.Current.CancellationToken);

        await _store.ForgetPositionsAsync("default", TestContext.Current.CancellationToken);
        Assert.Null(await _store.GetPositionAsync(Inbox, TestContext.Current.CancellationToken));
        var fresh = await _store.ResetPositionAsync(Inbox, "new account", TestContext.Current.CancellationToken);
        var stored = await _store.AppendAsync([Email(old, 1, "m1")], TestContext.Current.CancellationToken);

        Assert.Single(stored);
        Assert.True(fresh.Generation > old.Generation);
        Assert.Equal(new StoredPosition(fresh.Generation, 0, "new account"), await _store.GetPositionAsync(Inbox, TestContext.Current.CancellationToken));
        Assert.DoesNotContain(_log.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task Event_ids_are_never_reused_and_replay_reads_them_in_order_in_pages()
    {
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        var start = await _store.ResetPositionAsync(Inbox, "p0", TestContext.Current.CancellationToken);
        var stored = await _store.AppendAsync([.. Enumerable.Range(1, 25).Select(n => Email(start, n, $"m{n}"))], TestContext.Current.CancellationToken);

        var firstPage = await _store.ReadAfterAsync(0, 10, TestContext.Current.CancellationToken);
        var secondPage = await _store.ReadAfterAsync(firstPage[^1].EventId, 10, TestContext.Current.CancellationToken);

        Assert.Equal(stored.Take(10).Select(e => e.EventId), firstPage.Select(e => e.EventId));
        Assert.Equal(stored.Skip(10).Take(10).Select(e => e.EventId), secondPage.Select(e => e.EventId));
        Assert.Contains("\"subject\":\"m11\"", secondPage[0].Payload);
    }

    [Fact]
    public async Task A_version_2_database_keeps_its_folder_checkpoints_as_imap_positions()
    {
        await using (var connection = await _database.OpenAsync(TestContext.Current.CancellationToken))
        {
            await SchemaMigrations.ApplyAsync(connection, TestContext.Current.CancellationToken, upTo: 2);
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO checkpoints VALUES ('default', 'INBOX', 4000000000, 42, '2026-11-26T00:00:00.000Z')";
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await _database.MigrateAsync(TestContext.Current.CancellationToken);

        var position = await _store.GetPositionAsync(Inbox, TestContext.Current.CancellationToken);
        Assert.NotNull(position);
        Assert.Equal(new ImapPosition(4_000_000_000, 42), ImapPosition.Parse(position.Value));
    }

    [Fact]
    public async Task Migrating_twice_keeps_the_data_and_a_newer_schema_is_refused()
    {
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        var start = await _store.ResetPositionAsync(Inbox, "p0", TestContext.Current.CancellationToken);
        await _store.AppendAsync([Email(start, 1, "m1")], TestContext.Current.CancellationToken);

        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        Assert.Single(await _store.ReadAfterAsync(0, 10, TestContext.Current.CancellationToken));

        await using (var connection = await _database.OpenAsync(TestContext.Current.CancellationToken))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA user_version = {SchemaMigrations.LatestVersion + 1}";
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _database.MigrateAsync(TestContext.Current.CancellationToken));
        Assert.Contains("newer than this build understands", error.Message);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    private static AnalysedEmail Email(StoredPosition numbering, long sequence, string name) =>
        new(
            new EmailEvent
            {
                Id = $"default:INBOX:{name}",
                Subject = name,
                ReceivedAt = "2026-11-26T00:00:00.000Z",
                Mailbox = Inbox.Mailbox,
                Folder = Inbox.Folder,
            },
            new SourceCheckpoint(Inbox, numbering.Generation, sequence, new Position("after " + name)));

    private sealed record Position(string Value) : ISourcePosition
    {
        public string Serialize() => Value;
    }
}
