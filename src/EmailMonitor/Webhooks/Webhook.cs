namespace EmailMonitor.Webhooks;

/// <summary>A webhook as stored, with where its deliveries stand.</summary>
internal sealed record Webhook(
    long Id,
    WebhookSettings Settings,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastFailureAt,
    int Pending,
    int Dead);

/// <summary>One event to one webhook, and how its delivery went so far.</summary>
internal sealed record WebhookDelivery(
    long Id,
    long WebhookId,
    long EventId,
    string State,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<WebhookAttempt> Recent);

/// <summary>One try: the receiver's HTTP status, or what went wrong before there was one.</summary>
internal sealed record WebhookAttempt(DateTimeOffset At, int? Status, string? Error, long DurationMs);

/// <summary>A delivery that is due, as the dispatcher claims it.</summary>
internal sealed record DueDelivery(long Id, long WebhookId, long EventId, int Attempts, DateTimeOffset? FirstAttemptAt);

internal static class DeliveryStates
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Dead = "dead";
}
