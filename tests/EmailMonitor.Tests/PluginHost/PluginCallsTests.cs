using EmailMonitor.Observability;
using EmailMonitor.PluginHost;
using EmailMonitor.Plugins;
using EmailMonitor.Tests.Support;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Tests.PluginHost;

/// <summary>One plugin call, bounded and isolated, against plugins that do each thing wrong.</summary>
public sealed class PluginCallsTests : IAsyncLifetime
{
    // Long enough that a machine busy starting many tests still answers within it.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);
    private readonly FakeLogger<PluginCalls> _log = new();
    private ServiceHost? _service;
    private PluginCalls? _calls;

    public async ValueTask InitializeAsync()
    {
        _service = await ServiceHost.StartAsync();
        _calls = new PluginCalls(
            Options.Create(new PluginOptions { TimeoutMilliseconds = (int)Bound.TotalMilliseconds }), _service.Get<ServiceMetrics>(), TimeProvider.System, _log);
    }

    [Fact]
    public async Task An_answer_in_time_is_returned()
    {
        var answer = await CallAsync(new Judge((_, _) => ValueTask.FromResult(new Judgement { Tags = ["fine"] })));

        Assert.Equal(["fine"], answer!.Tags);
        Assert.Empty(_log.Collector.GetSnapshot());
    }

    [Theory]
    [InlineData("sync")]
    [InlineData("async")]
    [InlineData("own-cancellation")]
    public async Task A_plugin_that_throws_is_logged_and_skipped(string how)
    {
        var judge = new Judge(how switch
        {
            "sync" => (_, _) => throw new InvalidOperationException("thrown at once"),
            "async" => async (_, _) => { await Task.Yield(); throw new InvalidOperationException("thrown later"); },
            _ => (_, _) => throw new OperationCanceledException("its own HTTP call gave up"),
        });

        Assert.Null(await CallAsync(judge));
        var record = Assert.Single(_log.Collector.GetSnapshot());
        Assert.Equal(13003, record.Id.Id);
    }

    [Fact]
    public async Task A_plugin_that_honours_its_token_is_stopped_at_the_bound()
    {
        var judge = new Judge(async (_, token) => { await Task.Delay(Timeout.Infinite, token); return Judgement.None; });

        Assert.Null(await CallAsync(judge));
        Assert.Equal(13004, Assert.Single(_log.Collector.GetSnapshot()).Id.Id);
    }

    [Fact]
    public async Task A_plugin_that_blocks_is_left_behind_and_passed_over_until_it_returns()
    {
        using var release = new ManualResetEventSlim();
        var calls = 0;
        var plugin = new LoadedPlugin<IEmailJudge>("blocking", new Judge((_, _) =>
        {
            Interlocked.Increment(ref calls);
            release.Wait(CancellationToken.None);
            return ValueTask.FromResult(new Judgement { Tags = ["late"] });
        }));

        Assert.Null(await CallAsync(plugin));
        Assert.True(plugin.Busy);
        Assert.Null(await CallAsync(plugin));
        Assert.Null(await CallAsync(plugin));
        Assert.Equal(1, calls);
        Assert.Equal([13004, 13005], _log.Collector.GetSnapshot().Select(r => r.Id.Id));

        release.Set();
        await plugin.Running!;
        Assert.Equal(["late"], (await CallAsync(new LoadedPlugin<IEmailJudge>("blocking", plugin.Plugin)))!.Tags);
        Assert.Equal(["late"], (await CallAsync(plugin))!.Tags);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Stopping_the_service_stops_the_wait()
    {
        using var stopping = new CancellationTokenSource();
        var judge = new LoadedPlugin<IEmailJudge>("waiting", new Judge(async (_, token) => { await Task.Delay(Timeout.Infinite, token); return Judgement.None; }));
        var call = _calls!.CallAsync<IEmailJudge, Judgement>(judge, (plugin, token) => plugin.JudgeAsync(Facts, token), "stopping", stopping.Token);

        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    private Task<Judgement?> CallAsync(Judge judge) => CallAsync(new LoadedPlugin<IEmailJudge>("test", judge));

    private Task<Judgement?> CallAsync(LoadedPlugin<IEmailJudge> plugin) =>
        _calls!.CallAsync<IEmailJudge, Judgement>(plugin, (p, token) => p.JudgeAsync(Facts, token), "a test email", TestContext.Current.CancellationToken);

    private static readonly EmailFacts Facts = new("id", "default", "INBOX", "a@example.com", "A", "Subject", [], "text", [], [], 0, []);

    public async ValueTask DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
    }

    private sealed class Judge(Func<EmailFacts, CancellationToken, ValueTask<Judgement>> judge) : IEmailJudge
    {
        public string Name => "test";

        public ValueTask<Judgement> JudgeAsync(EmailFacts email, CancellationToken cancellationToken) => judge(email, cancellationToken);
    }
}
