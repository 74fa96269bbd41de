using System.Diagnostics;
using System.Text.RegularExpressions;
using EmailMonitor.Analysis;

namespace EmailMonitor.Rules;

/// <summary>
/// The rules in force on this instance, compiled, and their application to each email once, between
/// analysis and storage: what the rules decide is stored with the event, so the WebSocket, the REST
/// API and the webhooks all see the same tags and score. Reloaded when this instance changes a rule
/// and, for changes made elsewhere, when the stored revision moves (<see cref="RuleRefresher"/>).
/// </summary>
internal sealed class RuleBook(RuleStore store, ILogger<RuleBook> logger) : IDisposable
{
    /// <summary>What the backtracking subject patterns may take of one email, together.</summary>
    public static readonly TimeSpan PatternBudget = TimeSpan.FromMilliseconds(250);

    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile Loaded _loaded = new(-1, []);

    public long Revision => _loaded.Revision;

    public IReadOnlyList<CompiledRule> Rules => _loaded.Rules;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            var (revision, stored) = await store.ReadAllAsync(cancellationToken);
            var rules = new List<CompiledRule>(stored.Count);
            foreach (var rule in stored.Where(r => r.Definition.Enabled).OrderBy(r => r.Definition.Priority).ThenBy(r => r.Id))
            {
                try
                {
                    rules.Add(new CompiledRule(rule));
                }
                catch (Exception ex)
                {
                    // Checked when saved; only a pattern another runtime version reads differently,
                    // or a hand edit of the database, gets here.
                    logger.RuleNotCompiled(rule.Id, ex.Message);
                }
            }

            if (revision != _loaded.Revision)
            {
                _loaded = new Loaded(revision, rules);
                logger.RulesLoaded(rules.Count, revision);
            }
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>
    /// Loads the rules after a change made here. The change is stored already, so a failure to read
    /// them back is not the caller's: it is logged, and <see cref="RuleRefresher"/> loads them soon.
    /// </summary>
    public async Task TryLoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await LoadAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.RulesNotRefreshed(ex);
        }
    }

    /// <summary>Loads the rules again when another instance (or this one) has changed them since the last load.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (await store.RevisionAsync(cancellationToken) != _loaded.Revision)
        {
            await LoadAsync(cancellationToken);
        }
    }

    public RuleOutcome Apply(EmailEvent email)
    {
        var rules = _loaded.Rules;
        if (rules.Count == 0)
        {
            return new RuleOutcome(email, [], [], null);
        }

        var subject = RuleText.Subject(email.Subject);
        var senderDomain = RuleText.Domain(Analysis.Domains.DomainOf(email.Sender));
        var tags = email.Tags;
        var score = email.RiskScore;
        List<long>? routes = null;
        List<long>? matched = null;
        long? suppressedBy = null;
        var patternTime = TimeSpan.Zero;
        foreach (var rule in rules)
        {
            // Patterns only the backtracking engine runs share one budget per email: a sender who
            // makes each of them run to its timeout delays this email by the budget, not by 200 timeouts.
            if (rule.Backtracks && patternTime >= PatternBudget)
            {
                logger.PatternBudgetSpent(rule.Id, email.Id);
                continue;
            }

            bool matches;
            var started = Stopwatch.GetTimestamp();
            try
            {
                matches = rule.Matches(email, subject, senderDomain, tags, score);
            }
            catch (RegexMatchTimeoutException)
            {
                logger.SubjectPatternTimedOut(rule.Id, email.Id);
                continue;
            }
            catch (Exception ex)
            {
                logger.RuleFailed(rule.Id, email.Id, ex);
                continue;
            }
            finally
            {
                if (rule.Backtracks)
                {
                    patternTime += Stopwatch.GetElapsedTime(started);
                }
            }

            if (!matches)
            {
                continue;
            }

            (matched ??= []).Add(rule.Id);
            var actions = rule.Definition.Actions;
            tags = EmailTags.Add(tags, actions.Tags ?? []);
            score = Math.Clamp(score + Math.Clamp(actions.Score ?? 0, -100, 100), 0, 100);
            foreach (var webhook in actions.Webhooks ?? [])
            {
                if (!(routes ??= []).Contains(webhook))
                {
                    routes.Add(webhook);
                }
            }

            if (actions.Suppress)
            {
                suppressedBy = rule.Id;
                break;
            }

            if (actions.Stop)
            {
                break;
            }
        }

        var judged = matched is null ? email : email with { Tags = tags, RiskScore = score };
        return new RuleOutcome(judged, routes ?? [], matched ?? [], suppressedBy);
    }

    public void Dispose() => _loading.Dispose();

    private sealed record Loaded(long Revision, IReadOnlyList<CompiledRule> Rules);
}
