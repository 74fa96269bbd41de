using System.Security.Cryptography;
using EmailMonitor.Cluster;
using EmailMonitor.Mailboxes;
using EmailMonitor.Storage;
using EmailMonitor.Tests.Support;
using EmailMonitor.Webhooks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EmailMonitor.Tests.Webhooks;

/// <summary>Deliveries in the database on each engine: added once however many instances add them, claimed by one, pruned when old.</summary>
public sealed class WebhookStoreTests : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly List<Database> _databases = [];
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly string _credentialsKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static TheoryData<string> Engines => [.. TestDatabases.Engines];

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Two_instances_enqueueing_the_same_events_add_each_delivery_once_and_only_one_claims_it(string engine)
    {
        var cancellation = TestContext.Current.CancellationToken;
        var (a, database) = await StoreAsync(engine, "a");
        var (b, _) = await StoreAsync(engine, "b", database);
        var everything = await a.CreateAsync(new WebhookSettings { Url = "https://one.example/" }, new byte[32], cancellation);
        await a.CreateAsync(new WebhookSettings { Url = "https://two.example/", MinRiskScore = 50 }, new byte[32], cancellation);
        var events = await AppendAsync(database, [10, 80, 0]);

        // Both instances read the commit and enqueue it, one after the other and again.
        var added = await a.EnqueueAsync(events, cancellation) + await b.EnqueueAsync(events, cancellation) + await a.EnqueueAsync(events, cancellation);

        Assert.Equal(4, added);
        async Task<List<DueDelivery>> AllDueAsync(WebhookStore store) =>
            [.. await store.DueAsync(everything, 16, cancellation), .. await store.DueAsync(everything + 1, 16, cancellation)];
        var due = await AllDueAsync(b);
        Assert.Equal(4, due.Count);
        Assert.Equal(3, due.Count(d => d.WebhookId == everything));
        Assert.NotNull(await a.TryClaimAsync(due[0].Id, TimeSpan.FromSeconds(30), cancellation));
        Assert.Null(await b.TryClaimAsync(due[0].Id, TimeSpan.FromSeconds(30), cancellation));
        Assert.Equal(3, (await AllDueAsync(b)).Count);
        Assert.Single(await b.DueAsync(everything, 1, cancellation));

        // A claim left by a killed run is let go when that instance starts again; on PostgreSQL
        // (several instances) only its own, never another instance's.
        Assert.Equal(engine == "sqlite" ? 1 : 0, await b.ReleaseLeftClaimsAsync(cancellation));
        Assert.Equal(engine == "sqlite" ? 0 : 1, await a.ReleaseLeftClaimsAsync(cancellation));
        Assert.Equal(4, (await AllDueAsync(b)).Count);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Events_that_no_webhook_is_behind_on_pass_without_waiting_for_a_writer_that_holds_the_lock(string engine)
    {
        var cancellation = TestContext.Current.CancellationToken;
        var (store, database) = await StoreAsync(engine, "a");
        var events = await AppendAsync(database, [10, 90]);
        // Created after the events: its cursor starts at the log's end, so it is not behind on them.
        var webhook = await store.CreateAsync(new WebhookSettings { Url = "https://one.example/" }, new byte[32], cancellation);

        // Another writer in the middle of a transaction, as storage is while it commits mail: on
        // SQLite it holds the database's write lock, on PostgreSQL the webhook's row as well.
        await using var connection = await database.OpenAsync(cancellation);
        await using var transaction = await database.Sql.BeginWriteAsync(connection, cancellation);
        await connection.ExecuteAsync("UPDATE webhooks SET cursor = cursor", cancellation, transaction);

        Assert.Equal(0, await store.EnqueueAsync(events, cancellation).WaitAsync(TimeSpan.FromSeconds(5), cancellation));
        await transaction.RollbackAsync(cancellation);
        Assert.Empty(await store.DueAsync(webhook, 16, cancellation));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_route_stored_with_an_event_reaches_its_webhook_past_its_filter_whoever_enqueues_it(string engine)
    {
        var cancellation = TestContext.Current.CancellationToken;
        var (a, database) = await StoreAsync(engine, "a");
        var (b, _) = await StoreAsync(engine, "b", database);
        var strict = await a.CreateAsync(new WebhookSettings { Url = "https://strict.example/", MinRiskScore = 100 }, new byte[32], cancellation);
        var events = await AppendAsync(database, [10, 20, 30]);
        // A rule routed the second event to the strict webhook; the announcement another instance
        // relays carries the events only, so the route must come from the database.
        await using (var connection = await database.OpenAsync(cancellation))
        await using (var route = connection.Command("UPDATE events SET routes = @routes WHERE event_id = @id"))
        {
            route.AddText("@routes", $"{strict + 1},{strict}");
            route.AddInt64("@id", events[1].EventId);
            await route.ExecuteNonQueryAsync(cancellation);
        }

        Assert.Equal(1, await b.EnqueueAsync(events, cancellation));
        Assert.Equal([events[1].EventId], (await a.DueAsync(strict, 16, cancellation)).Select(d => d.EventId));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task An_attempt_is_recorded_only_under_its_own_claim_and_ended_deliveries_are_pruned_with_their_attempts(string engine)
    {
        var cancellation = TestContext.Current.CancellationToken;
        var (store, database) = await StoreAsync(engine, "a");
        var webhook = await store.CreateAsync(new WebhookSettings { Url = "https://one.example/" }, new byte[32], cancellation);
        await store.EnqueueAsync(await AppendAsync(database, [0, 0]), cancellation);
        var due = await store.DueAsync(webhook, 16, cancellation);
        var first = (await store.TryClaimAsync(due[0].Id, TimeSpan.FromSeconds(30), cancellation))!.Value;
        var second = (await store.TryClaimAsync(due[1].Id, TimeSpan.FromSeconds(30), cancellation))!.Value;

        var attempt = new WebhookAttempt(_time.GetUtcNow(), 204, null, 12);
        // A former claim (its holder was presumed dead and the delivery claimed again) changes nothing.
        await store.FinishAttemptAsync(due[0], first - 5000, attempt, delivered: true, null, cancellation);
        Assert.Equal("pending", (await store.DeliveriesAsync(webhook, 10, due[0].Id, cancellation))[0].State);
        await store.FinishAttemptAsync(due[0], first, attempt, delivered: true, null, cancellation);
        await store.FinishAttemptAsync(due[1], second, attempt with { Status = 500, Error = "HTTP 500" }, delivered: false, null, cancellation);
        var log = await store.DeliveriesAsync(webhook, 10, null, cancellation);
        Assert.Equal(["dead", "delivered"], log.Select(d => d.State));
        Assert.Equal("HTTP 500", log[0].Recent.Single().Error);
        Assert.Equal(1, (await store.FindAsync(webhook, cancellation))!.Dead);

        _time.Advance(WebhookDispatcher.KeptFor + TimeSpan.FromMinutes(1));
        Assert.Equal(2, await store.PruneAsync(_time.GetUtcNow() - WebhookDispatcher.KeptFor, cancellation));
        Assert.Empty(await store.DeliveriesAsync(webhook, 10, null, cancellation));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Retention_keeps_the_events_a_webhook_has_not_looked_at_or_still_has_to_deliver(string engine)
    {
        var cancellation = TestContext.Current.CancellationToken;
        var (store, database) = await StoreAsync(engine, "a");
        var events = new EventStore(database, _time, NullLogger<EventStore>.Instance);
        var webhook = await store.CreateAsync(new WebhookSettings { Url = "https://one.example/" }, new byte[32], cancellation);
        var appended = await AppendAsync(database, [0, 0, 0, 0]);
        // The first two enqueued (the cursor passed them); the first delivered, the second still pending.
        await store.EnqueueAsync(appended.Take(2).ToList(), cancellation);
        var due = await store.DueAsync(webhook, 16, cancellation);
        var claim = (await store.TryClaimAsync(due[0].Id, TimeSpan.FromSeconds(30), cancellation))!.Value;
        await store.FinishAttemptAsync(due[0], claim, new WebhookAttempt(_time.GetUtcNow(), 204, null, 1), delivered: true, null, cancellation);

        // Every event is past RETENTION_MAX_EVENTS=1; only the delivered one may go.
        Assert.Equal(1, await events.DeleteOldestAsync(null, 1, 100, cancellation));
        Assert.Equal(appended.Skip(1).Select(e => e.EventId), (await events.ReadAfterAsync(0, 10, cancellation)).Select(e => e.EventId));
        Assert.Equal(0, await events.DeleteOldestAsync(null, 1, 100, cancellation));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_rotated_key_signs_beside_the_new_one_for_the_overlap_only(string engine)
    {
        var cancellation = TestContext.Current.CancellationToken;
        var (store, _) = await StoreAsync(engine, "a");
        var first = RandomNumberGenerator.GetBytes(32);
        var second = RandomNumberGenerator.GetBytes(32);
        var webhook = await store.CreateAsync(new WebhookSettings { Url = "https://one.example/" }, first, cancellation);

        Assert.True(await store.RotateAsync(webhook, second, TimeSpan.FromHours(24), cancellation));
        Assert.Equal([second, first], await store.KeysAsync(webhook, cancellation));
        _time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        Assert.Equal([second], await store.KeysAsync(webhook, cancellation));
        Assert.False(await store.RotateAsync(webhook + 1, second, TimeSpan.FromHours(24), cancellation));
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

    private async Task<(WebhookStore Store, Database Database)> StoreAsync(string engine, string instance, Database? shared = null)
    {
        var settings = TestDatabases.Settings(engine, _directory.Path);
        var database = shared ?? new Database(Options.Create(settings));
        if (shared is null)
        {
            _databases.Add(database);
            await database.MigrateAsync(TestContext.Current.CancellationToken);
        }

        var vault = new CredentialVault(Options.Create(new MailboxesOptions { CredentialsKey = _credentialsKey }), Options.Create(settings), NullLogger<CredentialVault>.Instance);
        return (new WebhookStore(database, vault, Options.Create(new ClusterOptions { InstanceId = instance }), _time), database);
    }

    private static async Task<IReadOnlyList<StoredEvent>> AppendAsync(Database database, int[] scores)
    {
        var events = new List<StoredEvent>();
        await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        foreach (var score in scores)
        {
            var payload = $$"""{"risk_score":{{score}},"security_flags":[]}""";
            await using var command = connection.Command(
                "INSERT INTO events (message_key, mailbox, folder, received_at, payload) VALUES (@key, 'default', 'INBOX', '2026-12-02T00:00:00Z', @payload) RETURNING event_id");
            command.AddText("@key", Guid.NewGuid().ToString());
            command.AddText("@payload", payload);
            var id = Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            events.Add(new StoredEvent(id, "default", payload));
        }

        return events;
    }
}
