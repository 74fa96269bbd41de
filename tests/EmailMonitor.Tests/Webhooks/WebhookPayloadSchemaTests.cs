using System.Text.Json;
using EmailMonitor.Analysis;
using EmailMonitor.Storage;
using EmailMonitor.Tests.Support;
using EmailMonitor.Webhooks;

namespace EmailMonitor.Tests.Webhooks;

/// <summary>
/// Slack and Teams payloads checked against what Slack and Microsoft publish (tests/payload-schemas:
/// Slack's Block Kit types under the TypeScript compiler, with Block Kit's documented limits, and the
/// Adaptive Cards SDK's parser and validator), for ordinary, risky and hostile emails.
/// </summary>
public sealed class WebhookPayloadSchemaTests : IDisposable
{
    private static readonly string Checker = Path.Combine(RepositoryPaths.Root, "tests", "payload-schemas");
    private readonly TempDirectory _directory = new();

    private static readonly string[] Kinds = ["plain", "risky", "hostile", "empty", "long", "emoji", "emoji-shifted"];

    [Fact]
    public async Task Slack_and_Teams_payloads_meet_the_published_definitions()
    {
        foreach (var kind in Kinds)
        {
            var stored = new StoredEvent(42, "default", JsonSerializer.Serialize(Email(kind), EmailEventJson.Wire.EmailEvent));
            await File.WriteAllBytesAsync(_directory.Combine($"{kind}.slack.json"), WebhookPayloads.For(new WebhookSettings { Url = "https://x.example/", Format = WebhookFormats.Slack }, stored), TestContext.Current.CancellationToken);
            await File.WriteAllBytesAsync(_directory.Combine($"{kind}.teams.json"), WebhookPayloads.For(new WebhookSettings { Url = "https://x.example/", Format = WebhookFormats.Teams }, stored), TestContext.Current.CancellationToken);
        }

        var (exitCode, output) = await CheckAsync();

        Assert.True(exitCode == 0, output);
        Assert.Contains($"checked {Kinds.Length} Slack and {Kinds.Length} Teams payloads: 0 problems", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_checker_finds_what_breaks_the_definitions()
    {
        // Slack allows only plain text in a header; the Adaptive Cards SDK knows no "Marquee".
        await File.WriteAllTextAsync(_directory.Combine("bad.slack.json"), """
            {"text": "x", "blocks": [{"type": "header", "text": {"type": "mrkdwn", "text": "*x*"}}, {"type": "section", "fields": [{"type": "plain_text", "text": "a"}, {"type": "plain_text", "text": "b"}, {"type": "plain_text", "text": "c"}, {"type": "plain_text", "text": "d"}, {"type": "plain_text", "text": "e"}, {"type": "plain_text", "text": "f"}, {"type": "plain_text", "text": "g"}, {"type": "plain_text", "text": "h"}, {"type": "plain_text", "text": "i"}, {"type": "plain_text", "text": "j"}, {"type": "plain_text", "text": "k"}]}]}
            """, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(_directory.Combine("bad.teams.json"), """
            {"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": {"type": "AdaptiveCard", "version": "1.4", "body": [{"type": "Marquee", "text": "x \ud83d"}]}}]}
            """, TestContext.Current.CancellationToken);

        var (exitCode, output) = await CheckAsync();

        Assert.Equal(1, exitCode);
        Assert.Contains("\"mrkdwn\"", output, StringComparison.Ordinal);
        Assert.Contains("more than 10 section fields", output, StringComparison.Ordinal);
        Assert.Contains("Marquee", output, StringComparison.Ordinal);
        Assert.Contains("bad.teams.json: a string holds half of a surrogate pair", output, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Output)> CheckAsync()
    {
        Assert.True(
            Directory.Exists(Path.Combine(Checker, "node_modules", "adaptivecards")),
            $"The payload checker's packages are missing: run 'npm install' in {Checker} (scripts/test does).");
        return await Exec.RunAsync("node", [Path.Combine(Checker, "check.mjs"), _directory.Path], Checker);
    }

    private static EmailEvent Email(string kind)
    {
        var email = new EmailEvent
        {
            Id = "default:INBOX:1:42",
            ReceivedAt = "2026-12-02T08:00:00Z",
            Mailbox = "default",
            Folder = "INBOX",
            Sender = "alice@example.com",
            SenderName = "Alice",
            Subject = "Lunch?",
            Recipients = ["desk@example.com"],
        };
        return kind switch
        {
            "risky" => email with
            {
                Subject = "Invoice overdue",
                SecurityFlags = [.. SecurityFlags.Weights.Keys],
                RiskScore = 100,
                Tags = ["finance", "escalate"],
                Attachments = [.. Enumerable.Range(0, 30).Select(i => new AttachmentInfo
                {
                    Filename = $"scan{i}.pdf.exe", ContentType = "application/pdf", DetectedType = "application/vnd.microsoft.portable-executable", Size = 1234, Sha256 = new string('a', 64), Flags = ["dangerous_attachment", "double_extension"],
                })],
            },
            "hostile" => email with
            {
                Subject = "<!channel> *urgent* <https://evil.example|click> & {{template}} \u202Egnp.exe",
                SenderName = "\"IT\" <it@corp.example>\r\nBcc: x",
                Sender = "a\"b@evil.example",
                Mailbox = "<script>alert(1)</script>",
            },
            "empty" => email with { Subject = string.Empty, Sender = string.Empty, SenderName = string.Empty, Recipients = [] },
            "long" => email with
            {
                Subject = new string('s', 5000),
                SenderName = new string('n', 5000),
                Recipients = [.. Enumerable.Range(0, 1000).Select(i => $"r{i}@example.com")],
            },
            // Surrogate pairs wherever a cut can fall: both parities of each limit.
            "emoji" => email with { Subject = string.Concat(Enumerable.Repeat("\U0001F4E7", 400)), SenderName = string.Concat(Enumerable.Repeat("\U0001F600", 1000)) },
            _ => email with { Subject = "x" + string.Concat(Enumerable.Repeat("\U0001F4E7", 400)), SenderName = "x" + string.Concat(Enumerable.Repeat("\U0001F600", 1000)) },
        };
    }

    public void Dispose() => _directory.Dispose();
}
