using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using EmailMonitor.Analysis;
using EmailMonitor.Storage;

namespace EmailMonitor.Webhooks;

/// <summary>
/// Sends a made-up event to a webhook now, in its format and signed with its keys, so an
/// administrator sees at once whether the receiver takes it. It is not a delivery: nothing is
/// recorded or retried, its <c>event_id</c> is 0, and its <c>webhook-id</c> starts with
/// <c>test-</c>, so a receiver that deduplicates never confuses it with a real event.
/// </summary>
internal sealed class WebhookTestSend(WebhookStore store, WebhookClient client, TimeProvider time)
{
    public async Task<TestSendResult> SendAsync(Webhook webhook, CancellationToken cancellationToken)
    {
        var keys = await store.KeysAsync(webhook.Id, cancellationToken);
        if (keys.Count == 0)
        {
            return new TestSendResult(false, null, "not sent: no signing secret of this webhook opens with this CREDENTIALS_KEY; rotate its secret", 0);
        }

        var now = time.GetUtcNow();
        var sample = new EmailEvent
        {
            Id = "test:INBOX:0:0",
            Subject = "Email Monitor test event",
            Sender = "monitor@example.invalid",
            SenderName = "Email Monitor",
            Date = StoredTime.Format(now),
            ReceivedAt = StoredTime.Format(now),
            Mailbox = "test",
            Folder = "INBOX",
            TextContent = "A test event sent from the webhooks page; no email arrived.",
            Tags = ["test"],
        };
        var stored = new StoredEvent(0, sample.Mailbox, JsonSerializer.Serialize(sample, EmailEventJson.Wire.EmailEvent));
        var body = WebhookPayloads.For(webhook.Settings, stored);
        var id = "test-" + RandomNumberGenerator.GetHexString(16, lowercase: true);
        var timestamp = now.ToUnixTimeSeconds();
        var started = time.GetTimestamp();
        var (status, error) = await client.PostAsync(
            new Uri(webhook.Settings.Url),
            body,
            [
                new("webhook-id", id),
                new("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture)),
                new("webhook-signature", WebhookSecret.Sign(keys, id, timestamp, body)),
                new("User-Agent", "email-monitor-webhooks"),
            ],
            cancellationToken);
        return new TestSendResult(status is >= 200 and < 300 && error is null, status, error, (long)time.GetElapsedTime(started).TotalMilliseconds);
    }
}

/// <summary>What a test send found: whether the receiver took it, its status, why not, and how long it took.</summary>
internal sealed record TestSendResult(bool Delivered, int? Status, string? Error, long DurationMs);
