using EmailMonitor.Analysis;
using EmailMonitor.Rules;
using EmailMonitor.Storage;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EmailMonitor.Tests.Rules;

/// <summary>Rules applied to analysed emails, loaded from a real SQLite database (the integration test meets PostgreSQL in the second pass of scripts/test).</summary>
public sealed class RuleBookTests : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly Database _database;
    private readonly RuleStore _store;
    private readonly RuleBook _book;
    private readonly FakeLogger<RuleBook> _log = new();

    public RuleBookTests()
    {
        _database = TestDatabases.Create("sqlite", _directory.Path);
        _store = new RuleStore(_database, new FakeTimeProvider(DateTimeOffset.UtcNow), NullLogger<RuleStore>.Instance);
        _book = new RuleBook(_store, _log);
    }

    [Fact]
    public async Task Each_condition_is_checked_and_all_must_hold()
    {
        await AddAsync(new RuleMatch
        {
            SenderDomains = ["corp.example"],
            Subject = "(?i)\\binvoice\\b",
            Flags = ["suspicious_link", "spf_fail"],
            MinRiskScore = 30,
            MaxRiskScore = 60,
            AttachmentTypes = [".pdf"],
            Mailboxes = ["default"],
        }, new RuleActions { Tags = ["finance"] });
        var email = Email() with
        {
            Sender = "Billing@Mail.Corp.Example",
            Subject = "Your INVOICE is due",
            SecurityFlags = ["suspicious_link"],
            RiskScore = 30,
            Attachments = [new AttachmentInfo { Filename = "bill.PDF", DetectedType = "application/pdf" }],
        };

        Assert.Equal(["finance"], _book.Apply(email).Event.Tags);
        // Take away any one condition's truth and the rule no longer holds.
        Assert.Empty(_book.Apply(email with { Sender = "billing@notcorp.example" }).Event.Tags);
        Assert.Empty(_book.Apply(email with { Sender = "billing@corp.example.evil" }).Event.Tags);
        Assert.Empty(_book.Apply(email with { Subject = "Your invoices are due" }).Event.Tags);
        Assert.Empty(_book.Apply(email with { SecurityFlags = ["external_images"] }).Event.Tags);
        Assert.Empty(_book.Apply(email with { RiskScore = 29 }).Event.Tags);
        Assert.Empty(_book.Apply(email with { RiskScore = 61 }).Event.Tags);
        Assert.Empty(_book.Apply(email with { Attachments = [new AttachmentInfo { Filename = "bill.pdf.exe", DetectedType = "application/pdf" }] }).Event.Tags);
        Assert.Empty(_book.Apply(email with { Mailbox = "other" }).Event.Tags);
        Assert.Equal(["finance"], _book.Apply(email with { Sender = "billing@corp.example" }).Event.Tags);
    }

    [Fact]
    public async Task Attachment_types_match_the_detected_type_a_whole_family_or_the_extension()
    {
        await AddAsync(new RuleMatch { AttachmentTypes = ["application/x-msdownload"] }, new RuleActions { Tags = ["exe"] });
        await AddAsync(new RuleMatch { AttachmentTypes = ["image/*"] }, new RuleActions { Tags = ["image"] });
        await AddAsync(new RuleMatch { AttachmentTypes = [".docm"] }, new RuleActions { Tags = ["docm"] });

        // Declared as a PDF, but the bytes are a Windows program: the detected type counts.
        Assert.Equal(["exe"], Tags(new AttachmentInfo { Filename = "a.pdf", ContentType = "application/pdf", DetectedType = "application/x-msdownload" }));
        Assert.Equal(["image"], Tags(new AttachmentInfo { Filename = "x.bin", DetectedType = "image/png" }));
        Assert.Equal(["docm"], Tags(new AttachmentInfo { Filename = "report.DOCM. ", DetectedType = "application/zip" }));
        Assert.Empty(Tags(new AttachmentInfo { Filename = "docm", DetectedType = "application/octet-stream" }));

        IReadOnlyList<string> Tags(AttachmentInfo attachment) => _book.Apply(Email() with { Attachments = [attachment] }).Event.Tags;
    }

    [Fact]
    public async Task Rules_run_by_priority_each_seeing_what_the_ones_before_did()
    {
        // Added in the opposite order to the one they run in.
        await AddAsync(new RuleMatch { Tags = ["vip"], MinRiskScore = 50 }, new RuleActions { Tags = ["escalate"], Webhooks = [9] }, priority: 30);
        await AddAsync(new RuleMatch { Senders = ["ceo@corp.example"] }, new RuleActions { Tags = ["vip"], Score = 40 }, priority: 20);
        await AddAsync(new RuleMatch(), new RuleActions { Score = -100, Tags = ["never"] }, priority: 10, enabled: false);

        var outcome = _book.Apply(Email() with { Sender = "CEO@corp.example", RiskScore = 15 });

        Assert.Equal(["vip", "escalate"], outcome.Event.Tags);
        Assert.Equal(55, outcome.Event.RiskScore);
        Assert.Equal([9L], outcome.Routes);
        Assert.Equal(2, outcome.Matched.Count);
        Assert.Null(outcome.SuppressedBy);
    }

    [Fact]
    public async Task The_score_stays_within_0_to_100_and_stop_ends_the_rules()
    {
        await AddAsync(new RuleMatch(), new RuleActions { Score = 100 }, priority: 1);
        await AddAsync(new RuleMatch(), new RuleActions { Score = 30, Stop = true }, priority: 2);
        await AddAsync(new RuleMatch(), new RuleActions { Tags = ["after-stop"] }, priority: 3);

        var outcome = _book.Apply(Email() with { RiskScore = 40 });
        Assert.Equal(100, outcome.Event.RiskScore);
        Assert.Empty(outcome.Event.Tags);

        // Same priority as the first: it runs after it (ids break ties), so 100 - 100 + 30.
        await _store.CreateAsync(new RuleDefinition { Name = "lower", Priority = 1, Actions = new RuleActions { Score = -100 } }, TestContext.Current.CancellationToken);
        await _book.LoadAsync(TestContext.Current.CancellationToken);
        Assert.Equal(30, _book.Apply(Email() with { RiskScore = 40 }).Event.RiskScore);
    }

    [Fact]
    public async Task A_suppressing_rule_says_which_it_was_and_no_later_rule_runs()
    {
        await AddAsync(new RuleMatch { SenderDomains = ["newsletter.example"] }, new RuleActions { Suppress = true }, priority: 1);
        var routed = await AddAsync(new RuleMatch(), new RuleActions { Webhooks = [1] }, priority: 2);

        var outcome = _book.Apply(Email() with { Sender = "news@newsletter.example" });
        Assert.NotNull(outcome.SuppressedBy);
        Assert.NotEqual(routed, outcome.SuppressedBy);
        Assert.Empty(outcome.Routes);

        var kept = _book.Apply(Email());
        Assert.Null(kept.SuppressedBy);
        Assert.Equal([1L], kept.Routes);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_pattern_that_backtracks_without_end_runs_out_of_time_and_the_other_rules_still_apply()
    {
        // A backreference needs the backtracking engine, and this one explodes on a long run of a's
        // followed by the b it wants: it would match in the end, after far longer than this test.
        await AddAsync(new RuleMatch { Subject = "^(a|aa)+\\1(a|aa)+c" }, new RuleActions { Tags = ["slow"] }, priority: 1);
        // The same shape without the backreference runs on the non-backtracking engine: linear time.
        await AddAsync(new RuleMatch { Subject = "^(a|aa)+$" }, new RuleActions { Tags = ["linear"] }, priority: 2);

        var outcome = _book.Apply(Email() with { Subject = new string('a', 4000) });

        Assert.Equal(["linear"], outcome.Event.Tags);
        Assert.Contains(_log.Collector.GetSnapshot(), record => record.Id.Id == 11004);
    }

    [Fact(Timeout = 60_000)]
    public async Task Backtracking_patterns_share_one_time_budget_per_email()
    {
        for (var i = 0; i < 40; i++)
        {
            await AddAsync(new RuleMatch { Subject = "^(a|aa)+\\1(a|aa)+c" }, new RuleActions { Tags = [$"slow-{i}"] }, priority: 1);
        }

        await AddAsync(new RuleMatch { Subject = "a+" }, new RuleActions { Tags = ["linear-still-runs"] }, priority: 2);

        var outcome = _book.Apply(Email() with { Subject = new string('a', 4000) });

        Assert.Equal(["linear-still-runs"], outcome.Event.Tags);
        var records = _log.Collector.GetSnapshot();
        var timedOut = records.Count(r => r.Id.Id == 11004);
        var skipped = records.Count(r => r.Id.Id == 11009);
        // 40 patterns of 50 ms each would take two seconds; the 250 ms budget lets about five run.
        Assert.Equal(40, timedOut + skipped);
        Assert.InRange(timedOut, 1, 20);
    }

    [Fact]
    public async Task Invisible_characters_and_other_spellings_do_not_dodge_a_rule()
    {
        await AddAsync(new RuleMatch { Subject = "(?i)invoice" }, new RuleActions { Tags = ["invoice"] });
        await AddAsync(new RuleMatch { SenderDomains = ["bücher.example"] }, new RuleActions { Tags = ["books"] });

        Assert.Equal(["invoice"], _book.Apply(Email() with { Subject = "In\u200Bvo\u00ADice due" }).Event.Tags);
        Assert.Equal(["invoice"], _book.Apply(Email() with { Subject = "\uFF29\uFF4E\uFF56\uFF4F\uFF49\uFF43\uFF45" }).Event.Tags);
        Assert.Equal(["books"], _book.Apply(Email() with { Sender = "shop@xn--bcher-kva.example" }).Event.Tags);
        Assert.Equal(["books"], _book.Apply(Email() with { Sender = "shop@news.BÜCHER.example" }).Event.Tags);
    }

    [Fact]
    public async Task A_www_domain_is_read_as_the_sender_domain_is_read_without_its_www()
    {
        await AddAsync(new RuleMatch { SenderDomains = ["www.shop.example"] }, new RuleActions { Tags = ["shop"] });

        Assert.Equal(["shop"], _book.Apply(Email() with { Sender = "orders@www.shop.example" }).Event.Tags);
        Assert.Equal(["shop"], _book.Apply(Email() with { Sender = "orders@shop.example" }).Event.Tags);
        Assert.Empty(_book.Apply(Email() with { Sender = "orders@othershop.example" }).Event.Tags);
    }

    [Fact]
    public async Task A_change_made_elsewhere_is_seen_when_the_revision_moves()
    {
        await AddAsync(new RuleMatch(), new RuleActions { Tags = ["first"] });
        var revision = _book.Revision;

        // Another instance (another store on the same database) adds a rule.
        var elsewhere = new RuleStore(_database, TimeProvider.System, NullLogger<RuleStore>.Instance);
        await elsewhere.CreateAsync(new RuleDefinition { Name = "second", Actions = new RuleActions { Tags = ["second"] } }, TestContext.Current.CancellationToken);
        Assert.Equal(["first"], _book.Apply(Email()).Event.Tags);

        await _book.RefreshAsync(TestContext.Current.CancellationToken);
        Assert.True(_book.Revision > revision);
        Assert.Equal(["first", "second"], _book.Apply(Email()).Event.Tags);
    }

    [Fact]
    public async Task An_unreadable_stored_rule_is_left_out_and_the_others_apply()
    {
        await AddAsync(new RuleMatch(), new RuleActions { Tags = ["kept"] });
        await using (var connection = await _database.OpenAsync(TestContext.Current.CancellationToken))
        {
            await connection.ExecuteAsync(
                "INSERT INTO rules (definition, created_at, updated_at) VALUES ('{not json', '2026-12-02T00:00:00Z', '2026-12-02T00:00:00Z'); UPDATE rules_revision SET revision = revision + 1;",
                TestContext.Current.CancellationToken);
        }

        await _book.RefreshAsync(TestContext.Current.CancellationToken);

        Assert.Single(_book.Rules);
        Assert.Equal(["kept"], _book.Apply(Email()).Event.Tags);
    }

    [Theory]
    [InlineData("""{"name": "no actions", "actions": null}""", "2026-12-02T00:00:00Z")]
    [InlineData("""{"name": "no match", "match": null, "actions": {"tags": ["x"]}}""", "2026-12-02T00:00:00Z")]
    [InlineData("""{"name": "bad date", "actions": {"tags": ["x"]}}""", "yesterday")]
    [InlineData("""{"name": "bad pattern", "match": {"subject": "("}, "actions": {"tags": ["x"]}}""", "2026-12-02T00:00:00Z")]
    [InlineData("""{"name": "huge score", "actions": {"score": 2147483647}}""", "2026-12-02T00:00:00Z")]
    public async Task A_hand_edited_rule_never_stops_the_others_or_the_mail(string definition, string createdAt)
    {
        await AddAsync(new RuleMatch(), new RuleActions { Tags = ["kept"] });
        await using (var connection = await _database.OpenAsync(TestContext.Current.CancellationToken))
        await using (var insert = connection.Command("INSERT INTO rules (definition, created_at, updated_at) VALUES (@definition, @at, @at); UPDATE rules_revision SET revision = revision + 1;"))
        {
            insert.AddText("@definition", definition);
            insert.AddText("@at", createdAt);
            await insert.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await _book.RefreshAsync(TestContext.Current.CancellationToken);
        var outcome = _book.Apply(Email() with { RiskScore = 10 });

        Assert.Contains("kept", outcome.Event.Tags);
        Assert.InRange(outcome.Event.RiskScore, 0, 100);
    }

    [Fact]
    public async Task Tags_per_email_are_capped()
    {
        for (var i = 0; i < 3; i++)
        {
            await AddAsync(new RuleMatch(), new RuleActions { Tags = [.. Enumerable.Range(0, 20).Select(t => $"r{i}-t{t}")] });
        }

        Assert.Equal(EmailTags.MaxPerEmail, _book.Apply(Email()).Event.Tags.Count);
    }

    [Fact]
    public async Task No_more_than_the_maximum_of_rules_is_stored()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await _database.MigrateAsync(cancellation);
        for (var i = 0; i < RuleStore.MaxRules; i++)
        {
            Assert.NotNull(await _store.CreateAsync(new RuleDefinition { Name = $"r{i}", Actions = new RuleActions { Stop = true } }, cancellation));
        }

        Assert.Null(await _store.CreateAsync(new RuleDefinition { Name = "one too many", Actions = new RuleActions { Stop = true } }, cancellation));
    }

    private async Task<long> AddAsync(RuleMatch match, RuleActions actions, int priority = RuleDefinition.DefaultPriority, bool enabled = true)
    {
        await _database.MigrateAsync(TestContext.Current.CancellationToken);
        var id = await _store.CreateAsync(
            new RuleDefinition { Name = $"rule {priority}", Priority = priority, Enabled = enabled, Match = match, Actions = actions },
            TestContext.Current.CancellationToken);
        await _book.LoadAsync(TestContext.Current.CancellationToken);
        return id!.Value;
    }

    private static EmailEvent Email() => new()
    {
        Id = "default:INBOX:1:1",
        ReceivedAt = "2026-12-02T08:00:00Z",
        Mailbox = "default",
        Folder = "INBOX",
        Sender = "alice@example.com",
        Subject = "Hello",
    };

    public async ValueTask DisposeAsync()
    {
        _book.Dispose();
        await _database.DisposeAsync();
        _directory.Dispose();
    }
}
