using System.Diagnostics.Metrics;

namespace EmailMonitor.Tests.Support;

/// <summary>
/// Counts the HTTP requests one in-process service answered, from ASP.NET Core's own
/// <c>http.server.request.duration</c> measurements, whatever the path and the answer.
/// </summary>
internal sealed class RequestCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private int _count;

    public RequestCounter(ServiceHost service)
    {
        var meters = service.Get<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument is { Name: "http.server.request.duration", Meter.Name: "Microsoft.AspNetCore.Hosting" } && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _count));
        _listener.Start();
    }

    public int Count => Volatile.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
