using System.Diagnostics;
using EmailMonitor.Analysis;
using Microsoft.Extensions.Options;

namespace EmailMonitor.Observability;

/// <summary>
/// The spans of one email's way through the service, one trace per email: <c>email.fetch</c> (the
/// source reads it from the server and hands it on) is the root; <c>email.analyse</c>,
/// <c>email.store</c> and <c>email.push</c> are its children, so the gaps between them are the time
/// spent queued. Spans name the mailbox, folder and message id, never the sender or the subject:
/// a trace collector is not a place for the mail's content.
/// </summary>
/// <remarks>
/// Nothing is recorded unless a tracer listens (OTEL_EXPORTER_OTLP_ENDPOINT is set): each Start
/// then returns null at the cost of one check.
/// </remarks>
internal sealed class EmailTracing : IDisposable
{
    public const string DefaultSourceName = "EmailMonitor";

    public EmailTracing(IOptions<ObservabilityOptions> options)
    {
        Source = new ActivitySource(options.Value.TraceSourceName, Cli.CommandLine.Version);
    }

    public ActivitySource Source { get; }

    public Activity? StartFetch(EmailOrigin origin)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        // A root of its own: whatever the source's task inherited (the API request that added the
        // mailbox, say) is no parent of the email. A default parent context would fall back to
        // Activity.Current, so that is cleared first; the callers are async methods, so the
        // change ends with them.
        Activity.Current = null;
        var activity = Source.StartActivity("email.fetch", ActivityKind.Consumer, parentContext: default);
        if (activity is not null)
        {
            activity.SetTag("email.mailbox", origin.Mailbox);
            activity.SetTag("email.folder", origin.Folder);
            activity.SetTag("email.message_id", origin.MessageId);
        }

        return activity;
    }

    public Activity? StartAnalyse(ActivityContext email, EmailOrigin origin) =>
        Stage("email.analyse", email, origin.MessageId);

    public Activity? StartStore(ActivityContext email, EmailEvent verdict) =>
        Stage("email.store", email, verdict.Id);

    public Activity? StartPush(ActivityContext email, long eventId)
    {
        var activity = email == default ? null : Source.StartActivity("email.push", ActivityKind.Producer, email);
        activity?.SetTag("email.event_id", eventId);
        return activity;
    }

    private Activity? Stage(string name, ActivityContext email, string messageId)
    {
        // An email that came without a trace (the source's span was not sampled) starts none here.
        if (email == default)
        {
            return null;
        }

        var activity = Source.StartActivity(name, ActivityKind.Internal, email);
        activity?.SetTag("email.message_id", messageId);
        return activity;
    }

    public void Dispose() => Source.Dispose();
}
