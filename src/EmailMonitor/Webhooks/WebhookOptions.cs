namespace EmailMonitor.Webhooks;

internal sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>WEBHOOK_ALLOW_PRIVATE: webhooks may send to loopback, private and link-local addresses.</summary>
    public bool AllowPrivate { get; set; }
}
