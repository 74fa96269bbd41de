using System.Text.Json;
using EmailMonitor.Analysis;
using EmailMonitor.Pipeline;
using EmailMonitor.Search;
using EmailMonitor.Storage;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EmailMonitor.Tests.Storage;

/// <summary>
/// Search and filters over stored events on each engine (a real SQLite file with FTS5, a real
/// PostgreSQL database with text search): the same words find the same emails on both.
/// </summary>
public sealed class EventSearchTests : IAsyncDisposable
{
    private static readonly FolderKey Inbox = new("default", "INBOX");
    private readonly TempDirectory _directory = new();
    private Database _database = null!;
    private EventStore _store = null!;
    private StoredPosition _numbering = null!;
    private long _sequence;

    public static TheoryData<string> Engines => [.. TestDatabases.Engines];

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Words_match_whole_words_in_any_case_and_script_across_subject_sender_recipients_attachments_and_text(string engine)
    {
        await UseAsync(engine);
        await StoreAsync(
            Email("invoice", subject: "Overdue INVOICE 4471", sender: "billing@vendor.example"),
            Email("invoices", subject: "All invoices for November"),
            Email("russian", subject: "Привет, мир", recipients: ["desk@example.com"]),
            Email("hindi", text: "यह हिन्दी भाषा है"),
            Email("tokyo", text: "東京都に行く"),
            Email("kyoto", text: "京東"),
            Email("attachment", attachments: ["payment.pdf.exe"]),
            Email("html-only", html: "<p title=\"attributeword\">shown<b>word</b> &amp; more</p><a href=\"https://linkword.example\">x</a>"),
            Email("text-and-html", text: "plain part", html: "<p>htmlpartword</p>"));

        Assert.Equal(["invoice"], await FindAsync("invoice"));
        Assert.Equal(["invoice"], await FindAsync("InVoIcE"));
        Assert.Equal(["invoices"], await FindAsync("invoices"));
        Assert.Equal(["invoice"], await FindAsync("billing@vendor.example"));
        Assert.Equal(["invoice"], await FindAsync("vendor"));
        Assert.Equal(["invoice"], await FindAsync("overdue 4471"));
        Assert.Empty(await FindAsync("overdue november"));
        Assert.Equal(["russian"], await FindAsync("ПРИВЕТ"));
        Assert.Equal(["russian"], await FindAsync("desk@example.com"));
        Assert.Equal(["hindi"], await FindAsync("हिन्दी"));
        Assert.Equal(["tokyo"], await FindAsync("東京"));
        Assert.Equal(["kyoto"], await FindAsync("京東"));
        Assert.Equal(["attachment"], await FindAsync("payment.pdf.exe"));
        Assert.Equal(["html-only"], await FindAsync("shown word more"));
        Assert.Empty(await FindAsync("attributeword"));
        Assert.Empty(await FindAsync("linkword"));
        Assert.Empty(await FindAsync("htmlpartword"));
        Assert.Empty(await FindAsync("invo"));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task The_engines_query_syntax_in_a_query_is_only_words(string engine)
    {
        await UseAsync(engine);
        await StoreAsync(
            Email("or", subject: "this or that"),
            Email("near", subject: "NEAR the end"),
            Email("other", subject: "something else"));

        Assert.Equal(["or"], await FindAsync("OR"));
        Assert.Equal(["near"], await FindAsync("NEAR(the end)"));
        Assert.Equal(["or"], await FindAsync("\"this\" -that*"));
        // Not a column filter (FTS5's syntax) but the phrase "subject this", which no email holds.
        Assert.Empty(await FindAsync("subject:this"));
        Assert.Empty(await FindAsync("!this & !that | 'x'"));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Filters_on_flags_tags_risk_mailbox_folder_and_time_narrow_a_search_and_page_like_the_plain_list(string engine)
    {
        await UseAsync(engine);
        await StoreAsync(
            Email("spoof", subject: "urgent", flags: ["sender_spoofing", "spf_fail"], risk: 60, received: "2026-11-30T10:00:00.000Z"),
            Email("spf", subject: "urgent", flags: ["spf_fail"], risk: 25, tags: ["finance"], received: "2026-12-01T10:00:00.000Z"),
            Email("clean", subject: "urgent", received: "2026-12-01T11:00:00.000Z"),
            Email("spf-prefix", subject: "urgent", flags: ["spf_failure_like"], tags: ["finance-team"], received: "2026-12-01T12:00:00.000Z"),
            Email("other-folder", subject: "urgent", flags: ["spf_fail"], risk: 25, folder: "Spam", received: "2026-12-02T10:00:00.000Z"));

        Assert.Equal(["other-folder", "spf", "spoof"], await FindAsync(new EmailFilter { Flags = ["spf_fail"] }));
        Assert.Equal(["spoof"], await FindAsync(new EmailFilter { Flags = ["spf_fail", "sender_spoofing"] }));
        Assert.Equal(["spf"], await FindAsync(new EmailFilter { Tags = ["finance"] }));
        Assert.Equal(["spoof"], await FindAsync(new EmailFilter { MinRiskScore = 50 }));
        Assert.Equal(["other-folder", "spf", "spoof"], await FindAsync(new EmailFilter { MinRiskScore = 25, Terms = [["urgent"]] }));
        Assert.Equal(["other-folder"], await FindAsync(new EmailFilter { Folder = "Spam" }));
        Assert.Empty(await FindAsync(new EmailFilter { Mailbox = "elsewhere" }));
        Assert.Equal(["spf-prefix", "clean", "spf"], await FindAsync(new EmailFilter { ReceivedSince = "2026-12-01T00:00:00.000Z", ReceivedUntil = "2026-12-02T00:00:00.000Z" }));

        // Pages of a search join up, cut by event_id as the plain list is.
        var filter = new EmailFilter { Terms = [["urgent"]] };
        var first = await _store.ReadBeforeAsync(null, 2, filter, long.MaxValue, null, TestContext.Current.CancellationToken);
        var second = await _store.ReadBeforeAsync(first[^1].EventId, 2, filter, long.MaxValue, null, TestContext.Current.CancellationToken);
        var third = await _store.ReadBeforeAsync(second[^1].EventId, 2, filter, long.MaxValue, null, TestContext.Current.CancellationToken);
        Assert.Equal(["other-folder", "spf-prefix", "clean", "spf", "spoof"], Names([.. first, .. second, .. third]));

        // Only the mailboxes a viewer may see.
        var visible = await _store.ReadBeforeAsync(null, 10, filter, long.MaxValue, new HashSet<string> { "elsewhere" }, TestContext.Current.CancellationToken);
        Assert.Empty(visible);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Events_stored_before_search_existed_are_indexed_after_start_and_deleted_ones_leave_the_index(string engine)
    {
        await UseAsync(engine);
        await StoreAsync(
            Email("old-one", subject: "legacy report", flags: ["dkim_fail"], risk: 20),
            Email("old-two", subject: "legacy memo", tags: ["archive"]));
        // As a database migrated from schema 11 has them: rows with no search fields.
        await ForgetSearchFieldsAsync(engine);
        Assert.Empty(await FindAsync("legacy"));

        var (indexed, below) = (0, long.MaxValue);
        do
        {
            (indexed, below) = await _store.IndexUnindexedAsync(below, 1, TestContext.Current.CancellationToken);
        }
        while (indexed > 0);

        Assert.Equal(["old-two", "old-one"], await FindAsync("legacy"));
        Assert.Equal(["old-one"], await FindAsync(new EmailFilter { Flags = ["dkim_fail"], MinRiskScore = 20 }));
        Assert.Equal(["old-two"], await FindAsync(new EmailFilter { Tags = ["archive"] }));

        await _store.DeleteOldestAsync(null, maxEvents: 1, batchSize: 10, TestContext.Current.CancellationToken);
        Assert.Equal(["old-two"], await FindAsync("legacy"));
        Assert.Equal(1, await CountIndexedAsync(engine));
    }

    public async ValueTask DisposeAsync()
    {
        await (_database?.DisposeAsync() ?? ValueTask.CompletedTask);
        _directory.Dispose();
    }

    private async Task UseAsync(string engine)
    {
        _database = TestDatabases.Create(engine, _directory.Path);
        _store = new EventStore(_database, new FakeTimeProvider(DateTimeOffset.UtcNow), new FakeLogger<EventStore>());
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        _numbering = await _store.ResetPositionAsync(Inbox, "p0", 0, TestContext.Current.CancellationToken);
    }

    private async Task StoreAsync(params EmailEvent[] emails)
    {
        foreach (var email in emails)
        {
            await _store.AppendAsync([new AnalysedEmail(email, new SourceCheckpoint(Inbox, _numbering.Generation, ++_sequence, new Position(email.Id)))], TestContext.Current.CancellationToken);
        }
    }

    private Task<List<string>> FindAsync(string query) => FindAsync(new EmailFilter { Terms = SearchWords.Terms(query) });

    private async Task<List<string>> FindAsync(EmailFilter filter) =>
        Names(await _store.ReadBeforeAsync(null, 100, filter, long.MaxValue, null, TestContext.Current.CancellationToken));

    private static List<string> Names(IEnumerable<StoredEvent> events) =>
        [.. events.Select(e => JsonDocument.Parse(e.Payload).RootElement.GetProperty("id").GetString()!.Split(':')[^1])];

    private async Task ForgetSearchFieldsAsync(string engine)
    {
        await using var connection = await _database.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.Command(engine == "sqlite"
            ? "UPDATE events SET risk_score = 0, flags = ' ', tags = ' ', search_indexed = 0; DELETE FROM events_search;"
            : "UPDATE events SET risk_score = 0, flags = ' ', tags = ' ', search_indexed = 0, search = NULL;");
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private async Task<long> CountIndexedAsync(string engine)
    {
        await using var connection = await _database.OpenAsync(TestContext.Current.CancellationToken);
        // The index's own rows on SQLite (contentless: rowids only), the vectors on PostgreSQL.
        await using var command = connection.Command(engine == "sqlite"
            ? "SELECT count(*) FROM events_search"
            : "SELECT count(*) FROM events WHERE search IS NOT NULL");
        return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static EmailEvent Email(
        string name, string subject = "", string sender = "someone@example.com", string[]? recipients = null, string text = "", string html = "",
        string[]? attachments = null, string[]? flags = null, int risk = 0, string[]? tags = null, string folder = "INBOX", string received = "2026-12-01T09:00:00.000Z") =>
        new()
        {
            Id = $"default:{folder}:{name}",
            Subject = subject,
            Sender = sender,
            Recipients = recipients ?? [],
            TextContent = text,
            HtmlContent = html,
            Attachments = [.. (attachments ?? []).Select(a => new AttachmentInfo { Filename = a })],
            SecurityFlags = flags ?? [],
            RiskScore = risk,
            Tags = tags ?? [],
            ReceivedAt = received,
            Mailbox = "default",
            Folder = folder,
        };

    private sealed record Position(string Value) : ISourcePosition
    {
        public string Serialize() => Value;
    }
}
