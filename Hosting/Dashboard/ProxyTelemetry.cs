using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using AddressBook.Hosting.ApplicationModel;
using AddressBook.Hosting.Dashboard.Telemetry;

namespace AddressBook.Hosting.Dashboard;

/// <summary>
/// Takes the spans the app host's own endpoint proxies record (ActivitySource <c>AddressBook.Hosting.Proxy</c>) straight
/// into the dashboard, without an exporter: each request's trace then starts at the endpoint, above the replica that
/// served it. The proxy's span belongs to the resource whose endpoint it is, as the replica <c>{resource}-proxy</c>, and the
/// replica continues its context. The app host's own HTTP calls, such as health probes, are not recorded.
/// </summary>
internal sealed class ProxyTelemetry : IDisposable
{
    public const string ActivitySourceName = "AddressBook.Hosting.Proxy";
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(200);
    private readonly TelemetryRepository _repository;
    private readonly DistributedApplicationModel _model;
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly Timer _flush;

    public ProxyTelemetry(TelemetryRepository repository, DistributedApplicationModel model, TraceSampler sampler)
    {
        _repository = repository;
        _model = model;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) => Decide(sampler, options),
            ActivityStopped = activity =>
            {
                if (activity.Recorded)
                {
                    _stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
        // Spans are stored in batches: the store's lock is taken five times a second, not once per proxied request.
        _flush = new Timer(_ => Flush(), null, FlushInterval, FlushInterval);
    }

    // A trace that is not recorded still gets its spans' ids, without their data: the replicas then receive a traceparent
    // whose sampled flag is off, and record nothing of it either.
    private static ActivitySamplingResult Decide(TraceSampler sampler, in ActivityCreationOptions<ActivityContext> options) =>
        sampler.ShouldRecord(options.Parent, options.TraceId) ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.PropagationData;

    public void Flush()
    {
        var spans = new List<TelemetrySpan>();
        while (spans.Count < 10_000 && _stopped.TryDequeue(out var activity))
        {
            spans.Add(ToSpan(activity));
        }

        if (spans.Count > 0)
        {
            _repository.AddSpans(spans);
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _flush.Dispose();
        Flush();
    }

    private TelemetrySpan ToSpan(Activity activity)
    {
        var port = activity.GetTagItem("server.port") is int p ? p : 0;
        var resourceName = _model.Resources.FirstOrDefault(r => r.Annotations.OfType<EndpointAnnotation>().Any(e => e.AllocatedEndpoint?.Port == port))?.Name ?? "proxy";
        var instanceId = $"{resourceName}-proxy";
        var resource = _repository.GetOrAddResource(resourceName, instanceId,
            [new TelemetryAttribute("service.name", resourceName), new TelemetryAttribute("service.instance.id", instanceId)]);
        var start = (activity.StartTimeUtc - DateTime.UnixEpoch).Ticks * 100;
        return new TelemetrySpan
        {
            Resource = resource,
            Scope = new TelemetryScope(activity.Source.Name, activity.Source.Version ?? ""),
            TraceId = activity.TraceId.ToHexString(),
            SpanId = activity.SpanId.ToHexString(),
            ParentSpanId = activity.ParentSpanId == default ? null : activity.ParentSpanId.ToHexString(),
            TraceState = activity.TraceStateString ?? "",
            Name = activity.DisplayName,
            Kind = activity.Kind.ToString(),
            StartUnixNano = start,
            EndUnixNano = start + (activity.Duration.Ticks * 100),
            Attributes = [.. activity.TagObjects.Select(t => new TelemetryAttribute(t.Key, Convert.ToString(t.Value, CultureInfo.InvariantCulture) ?? ""))],
            StatusCode = activity.Status switch { ActivityStatusCode.Error => "Error", ActivityStatusCode.Ok => "Ok", _ => "Unset" },
            StatusMessage = activity.StatusDescription ?? "",
        };
    }
}
