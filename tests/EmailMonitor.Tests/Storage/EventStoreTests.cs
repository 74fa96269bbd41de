using EmailMonitor.Analysis;
using EmailMonitor.Mail;
using EmailMonitor.Storage;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EmailMonitor.Tests.Storage;

/// <summary>The event store on a real SQLite file: one event per message, checkpoints that move with their events.</summary>
public sealed class EventStoreTests : IDisposable
{
    private static readonly FolderKey Inbox = new("default", "INBOX");
    private readonly TempDirectory _directory = new();
    private readonly Database _database;
    private readonly EventStore _store;

    public EventStoreTests()
    {
        _database = new Database(Options.Create(new StorageOptions { DataDirectory = _directory.Path }));
        _store = new EventStore(_database, new FakeTimeProvider(DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task Storing_advances_the_checkpoint_in_the_same_commit_and_a_message_is_stored_once()
    {
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        await _store.ResetCheckpointAsync(Inbox, new FolderCheckpoint(7, 10), TestContext.Current.CancellationToken);

        var first = await _store.AppendAsync([Email(7, 11), Email(7, 12)], TestContext.Current.CancellationToken);
        var again = await _store.AppendAsync([Email(7, 12), Email(7, 13)], TestContext.Current.CancellationToken);

        Assert.Equal(2, first.Count);
        Assert.Single(again);
        Assert.True(again[0].EventId > first[1].EventId);
        Assert.Equal(new FolderCheckpoint(7, 13), await _store.GetCheckpointAsync(Inbox, TestContext.Current.CancellationToken));
        Assert.Equal(3, (await _store.ReadAfterAsync(0, 100, TestContext.Current.CancellationToken)).Count);
    }

    [Fact]
    public async Task The_checkpoint_never_moves_back_and_ignores_mail_from_an_old_uidvalidity()
    {
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        await _store.ResetCheckpointAsync(Inbox, new FolderCheckpoint(7, 10), TestContext.Current.CancellationToken);
        await _store.AppendAsync([Email(7, 20)], TestContext.Current.CancellationToken);

        await _store.AppendAsync([Email(7, 15)], TestContext.Current.CancellationToken);
        Assert.Equal(new FolderCheckpoint(7, 20), await _store.GetCheckpointAsync(Inbox, TestContext.Current.CancellationToken));
        await _store.ResetCheckpointAsync(Inbox, new FolderCheckpoint(8, 3), TestContext.Current.CancellationToken);
        await _store.AppendAsync([Email(7, 30)], TestContext.Current.CancellationToken);

        Assert.Equal(new FolderCheckpoint(8, 3), await _store.GetCheckpointAsync(Inbox, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Event_ids_are_never_reused_and_replay_reads_them_in_order_in_pages()
    {
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        await _store.ResetCheckpointAsync(Inbox, new FolderCheckpoint(1, 0), TestContext.Current.CancellationToken);
        var stored = await _store.AppendAsync([.. Enumerable.Range(1, 25).Select(uid => Email(1, (uint)uid))], TestContext.Current.CancellationToken);

        var firstPage = await _store.ReadAfterAsync(0, 10, TestContext.Current.CancellationToken);
        var secondPage = await _store.ReadAfterAsync(firstPage[^1].EventId, 10, TestContext.Current.CancellationToken);

        Assert.Equal(stored.Take(10).Select(e => e.EventId), firstPage.Select(e => e.EventId));
        Assert.Equal(stored.Skip(10).Take(10).Select(e => e.EventId), secondPage.Select(e => e.EventId));
        Assert.Contains("\"subject\":\"uid 11\"", secondPage[0].Payload);
    }

    [Fact]
    public async Task Migrating_twice_keeps_the_data_and_a_newer_schema_is_refused()
    {
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        await _store.ResetCheckpointAsync(Inbox, new FolderCheckpoint(1, 0), TestContext.Current.CancellationToken);
        await _store.AppendAsync([Email(1, 1)], TestContext.Current.CancellationToken);

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

    private static AnalysedEmail Email(uint uidValidity, uint uid)
    {
        var raw = new RawEmail(Inbox, uidValidity, uid, Array.Empty<byte>(), DateTimeOffset.UtcNow);
        return new AnalysedEmail(Inbox, uidValidity, uid, new EmailEvent
        {
            Id = raw.MessageId,
            Subject = $"uid {uid}",
            ReceivedAt = "2026-11-26T00:00:00.000Z",
            Mailbox = Inbox.Mailbox,
            Folder = Inbox.Folder,
        });
    }
}
