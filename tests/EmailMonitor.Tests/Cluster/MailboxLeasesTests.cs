using EmailMonitor.Cluster;
using EmailMonitor.Mail;
using EmailMonitor.Pipeline;
using EmailMonitor.Storage;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Tests.Cluster;

/// <summary>Mailbox leases on each engine: tokens that only grow, release that sticks, adoption, a twin noticed.</summary>
public sealed class MailboxLeasesTests : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly List<Database> _databases = [];

    public static TheoryData<string> Engines => [.. TestDatabases.Engines];

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_lease_passes_only_when_released_or_run_out_and_every_take_over_raises_its_token(string engine)
    {
        var settings = TestDatabases.Settings(engine, _directory.Path);
        var a = Leases(settings, "a");
        var b = Leases(settings, "b");
        await _databases[0].MigrateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, await a.TryTakeAsync("alpha", TestContext.Current.CancellationToken));
        Assert.Null(await b.TryTakeAsync("alpha", TestContext.Current.CancellationToken));
        Assert.Equal("a", (await b.OwnersAsync(TestContext.Current.CancellationToken))["alpha"].Instance);

        await a.ReleaseAsync("alpha", TestContext.Current.CancellationToken);
        // Released means released: the next renewal of a does not pick it up again.
        Assert.Empty(await a.RenewAsync(TestContext.Current.CancellationToken));
        Assert.Empty(await a.OwnersAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2, await b.TryTakeAsync("alpha", TestContext.Current.CancellationToken));
        Assert.Equal(2, (await b.RenewAsync(TestContext.Current.CancellationToken))["alpha"]);

        // b restarted (same INSTANCE_ID, another process) adopts it with a new token that fences the old run.
        var restarted = Leases(settings, "b");
        Assert.Equal(3, await restarted.AdoptAsync("alpha", TestContext.Current.CancellationToken));
        Assert.Null(await a.AdoptAsync("alpha", TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Instances_alive_are_counted_and_a_second_process_under_one_instance_id_is_noticed(string engine)
    {
        var settings = TestDatabases.Settings(engine, _directory.Path);
        var a = Leases(settings, "a");
        var twin = Leases(settings, "a");
        var b = Leases(settings, "b");
        await _databases[0].MigrateAsync(TestContext.Current.CancellationToken);

        Assert.Equal((1, false), await a.HeartbeatAsync(TestContext.Current.CancellationToken));
        Assert.Equal((2, false), await b.HeartbeatAsync(TestContext.Current.CancellationToken));
        Assert.Equal((2, true), await twin.HeartbeatAsync(TestContext.Current.CancellationToken));
        Assert.Equal((2, true), await a.HeartbeatAsync(TestContext.Current.CancellationToken));

        await b.LeaveAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, (await a.HeartbeatAsync(TestContext.Current.CancellationToken)).Alive);
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

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task The_holder_s_report_of_its_folders_is_what_others_see_and_a_former_holder_s_never_lands(string engine)
    {
        var cancellation = TestContext.Current.CancellationToken;
        var settings = TestDatabases.Settings(engine, _directory.Path);
        var a = Leases(settings, "a");
        var b = Leases(settings, "b");
        await _databases[0].MigrateAsync(cancellation);
        var connectedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_000);
        FolderStatus[] watching =
        [
            new(new FolderKey("alpha", "INBOX"), FolderState.Watching, true, 42, null, connectedAt, null),
            new(new FolderKey("alpha", "Junk"), FolderState.Reconnecting, false, 7, "connection reset", connectedAt, connectedAt.AddSeconds(5)),
        ];

        var token = (await a.TryTakeAsync("alpha", cancellation))!.Value;
        Assert.Empty((await b.OwnersAsync(cancellation))["alpha"].Folders);
        await a.ReportAsync("alpha", token, MailboxWatcher.Report(watching), cancellation);
        Assert.Equal(watching, (await b.OwnersAsync(cancellation))["alpha"].Folders);

        // a loses the lease (released here; run out alike): its late report changes nothing.
        await a.ReleaseAsync("alpha", cancellation);
        var next = (await b.TryTakeAsync("alpha", cancellation))!.Value;
        await b.ReportAsync("alpha", next, MailboxWatcher.Report([watching[0] with { LastUid = 43 }]), cancellation);
        await a.ReportAsync("alpha", token, MailboxWatcher.Report([watching[0] with { State = FolderState.Stopped }]), cancellation);
        var seen = (await a.OwnersAsync(cancellation))["alpha"];
        Assert.Equal("b", seen.Instance);
        Assert.Equal([watching[0] with { LastUid = 43 }], seen.Folders);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"folder\":\"INBOX\"}")]
    [InlineData("[{\"folder\":\"INBOX\",\"state\":\"NoSuchState\"}]")]
    [InlineData("[{\"state\":\"Watching\"}]")]
    public void A_report_that_cannot_be_read_shows_no_folders(string report) =>
        Assert.Empty(MailboxWatcher.Read("alpha", report));

    private MailboxLeases Leases(StorageOptions settings, string instance)
    {
        var database = new Database(Options.Create(settings));
        _databases.Add(database);
        var cluster = Options.Create(new ClusterOptions { InstanceId = instance });
        return new MailboxLeases(database, new ClusterMessages(TestKeys.Root(), cluster, TimeProvider.System), cluster);
    }
}
