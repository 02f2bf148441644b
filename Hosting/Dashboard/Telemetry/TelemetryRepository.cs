namespace AddressBook.Hosting.Dashboard.Telemetry;

/// <summary>Filters of the structured logs page.</summary>
internal sealed record LogQuery(string? Resource = null, int MinSeverity = 0, string? Text = null, string? AttributeKey = null,
    string? AttributeValue = null, string? TraceId = null, long After = 0, int Limit = 500);

/// <summary>Filters of the traces page.</summary>
internal sealed record TraceQuery(string? Resource = null, TimeSpan? MinDuration = null, bool ErrorsOnly = false, string? Text = null, int Limit = 200);

/// <summary>Counts of what is kept and what was dropped to stay within the limits.</summary>
internal sealed record TelemetryStats(int Logs, long DroppedLogs, int Traces, long DroppedTraces, int Spans, long DroppedSpans,
    int MetricPoints, long DroppedMetricPoints, long RejectedItems, TelemetryLimits Limits);

/// <summary>
/// The dashboard's telemetry, in memory and bounded: logs, traces and metric points beyond their limits are dropped
/// oldest first and counted. Every method is safe to call from any thread; queries copy what they return.
/// </summary>
internal sealed class TelemetryRepository(TelemetryLimits limits, Func<string, string?>? replicaNameOf = null)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Service, string Instance), TelemetryResource> _resources = [];
    private readonly Queue<TelemetryLog> _logs = new();
    private readonly Dictionary<string, TelemetryTrace> _traces = new(StringComparer.Ordinal);
    private readonly Queue<TelemetryTrace> _traceOrder = new();
    private readonly Dictionary<(TelemetryResource Resource, string Scope, string Name), TelemetryInstrument> _instruments = [];
    // One entry per stored point, naming its series: the oldest point overall is the head's oldest point.
    private readonly Queue<MetricSeries> _pointOrder = new();
    private long _logSequence;
    private long _traceSequence;
    private long _droppedLogs;
    private long _droppedTraces;
    private long _droppedSpans;
    private long _droppedPoints;
    private long _rejected;
    private int _spanCount;

    public TelemetryLimits Limits { get; } = limits;

    /// <summary>
    /// Moves whenever logs, spans or metric points arrive. One signal for all three, so a live page waits on one task
    /// at a time, which either completes or is cancelled with its connection, rather than on three of which two stay idle.
    /// </summary>
    public ChangeSignal Changed { get; } = new();

    /// <summary>Finds or registers the resource an export came from.</summary>
    public TelemetryResource GetOrAddResource(string serviceName, string? instanceId, IReadOnlyList<TelemetryAttribute> attributes)
    {
        var instance = string.IsNullOrEmpty(instanceId) ? serviceName : instanceId;
        lock (_gate)
        {
            if (!_resources.TryGetValue((serviceName, instance), out var resource))
            {
                var displayName = replicaNameOf?.Invoke(instance) ?? (instance == serviceName ? serviceName : instance);
                _resources[(serviceName, instance)] = resource = new TelemetryResource(serviceName, instance, displayName, attributes);
            }

            return resource;
        }
    }

    public IReadOnlyList<TelemetryResource> GetResources()
    {
        lock (_gate)
        {
            return [.. _resources.Values.OrderBy(r => r.ServiceName, StringComparer.Ordinal).ThenBy(r => r.DisplayName, StringComparer.Ordinal)];
        }
    }

    /// <summary>Counts items an export carried but the dashboard could not accept.</summary>
    public void CountRejected(long count) => Interlocked.Add(ref _rejected, count);

    public void AddSpans(IEnumerable<TelemetrySpan> spans)
    {
        var added = false;
        lock (_gate)
        {
            foreach (var span in spans)
            {
                if (!_traces.TryGetValue(span.TraceId, out var trace))
                {
                    trace = new TelemetryTrace(span.TraceId, ++_traceSequence);
                    _traces[span.TraceId] = trace;
                    _traceOrder.Enqueue(trace);
                    while (_traceOrder.Count > Limits.MaxTraceCount)
                    {
                        var oldest = _traceOrder.Dequeue();
                        _traces.Remove(oldest.TraceId);
                        _spanCount -= oldest.Spans.Count;
                        _droppedTraces++;
                    }
                }

                if (trace.Spans.Count >= Limits.MaxSpansPerTrace)
                {
                    _droppedSpans++;
                    continue;
                }

                trace.Add(span, ++_traceSequence);
                _spanCount++;
                added = true;
            }
        }

        if (added)
        {
            Changed.Notify();
        }
    }

    /// <summary>Adds log records; each is built with the sequence number it gets here, so pages can ask for what came after one.</summary>
    public void AddLogs(IEnumerable<Func<long, TelemetryLog>> records)
    {
        var added = false;
        lock (_gate)
        {
            foreach (var create in records)
            {
                _logs.Enqueue(create(++_logSequence));
                added = true;
                if (_logs.Count > Limits.MaxLogCount)
                {
                    _logs.Dequeue();
                    _droppedLogs++;
                }
            }
        }

        if (added)
        {
            Changed.Notify();
        }
    }

    /// <summary>Records an instrument's description and appends its points, one per attribute set.</summary>
    public void AddMetric(TelemetryResource resource, TelemetryScope scope, string name, Action<TelemetryInstrument> describe,
        IEnumerable<(IReadOnlyList<TelemetryAttribute> Attributes, MetricPoint Point)> points)
    {
        lock (_gate)
        {
            var key = (resource, scope.Name, name);
            if (!_instruments.TryGetValue(key, out var instrument))
            {
                _instruments[key] = instrument = new TelemetryInstrument(resource, scope, name);
            }

            describe(instrument);
            foreach (var (attributes, point) in points)
            {
                var seriesKey = string.Join('\u001f', attributes.Select(a => a.Key + '\u001e' + a.Value));
                if (!instrument.Series.TryGetValue(seriesKey, out var series))
                {
                    instrument.Series[seriesKey] = series = new MetricSeries(attributes);
                }

                if (series.Points.Count > 0 && series.Points.Last() is { } last && point.SameValueAs(last) && point.TimeUnixNano >= last.TimeUnixNano)
                {
                    last.TimeUnixNano = point.TimeUnixNano;
                    continue;
                }

                series.Points.Enqueue(point);
                _pointOrder.Enqueue(series);
                if (_pointOrder.Count > Limits.MaxMetricsCount)
                {
                    _pointOrder.Dequeue().Points.TryDequeue(out _);
                    _droppedPoints++;
                }
            }
        }

        Changed.Notify();
    }

    public (IReadOnlyList<TelemetryLog> Items, int Matched) GetLogs(LogQuery query)
    {
        lock (_gate)
        {
            var matched = _logs.Where(log => log.Sequence > query.After && Matches(log, query)).ToList();
            return (matched.Count > query.Limit ? matched[^query.Limit..] : matched, matched.Count);
        }
    }

    public (IReadOnlyList<TraceSummary> Items, int Matched) GetTraces(TraceQuery query)
    {
        lock (_gate)
        {
            var matched = _traces.Values.Where(trace =>
                    (string.IsNullOrEmpty(query.Resource) || trace.Spans.Any(s => s.Resource.Matches(query.Resource)))
                    && (query.MinDuration is not { } min || trace.Duration >= min)
                    && (!query.ErrorsOnly || trace.ErrorCount > 0)
                    && (string.IsNullOrEmpty(query.Text) || trace.TraceId.StartsWith(query.Text, StringComparison.OrdinalIgnoreCase)
                        || trace.Spans.Any(s => s.Name.Contains(query.Text, StringComparison.OrdinalIgnoreCase))))
                .OrderByDescending(trace => trace.StartUnixNano)
                .ToList();
            return ([.. matched.Take(query.Limit).Select(TraceSummary.Of)], matched.Count);
        }
    }

    /// <summary>The trace's spans, in start order, or null when it is unknown or was dropped.</summary>
    public IReadOnlyList<TelemetrySpan>? GetTrace(string traceId)
    {
        lock (_gate)
        {
            return _traces.TryGetValue(traceId.ToLowerInvariant(), out var trace) ? [.. trace.Spans.OrderBy(s => s.StartUnixNano)] : null;
        }
    }

    public IReadOnlyList<InstrumentSummary> GetInstruments(string? resource)
    {
        lock (_gate)
        {
            return [.. _instruments.Values.Where(i => i.Resource.Matches(resource))
                .GroupBy(i => (Meter: i.Scope.Name, i.Name))
                .Select(g => new InstrumentSummary(g.Key.Name, g.Key.Meter, g.First().Description, g.First().Unit, g.First().Kind.ToString(),
                    [.. g.Select(i => i.Resource.DisplayName).Distinct().Order(StringComparer.Ordinal)]))
                .OrderBy(i => i.Meter, StringComparer.Ordinal).ThenBy(i => i.Name, StringComparer.Ordinal)];
        }
    }

    /// <summary>Every matching resource's copy of an instrument, its points copied.</summary>
    public IReadOnlyList<InstrumentData> GetInstrumentData(string? resource, string? meter, string name)
    {
        lock (_gate)
        {
            return [.. _instruments.Values
                .Where(i => i.Name == name && (string.IsNullOrEmpty(meter) || i.Scope.Name == meter) && i.Resource.Matches(resource))
                .OrderBy(i => i.Resource.DisplayName, StringComparer.Ordinal)
                .Select(i => new InstrumentData(i.Resource.DisplayName, i.Scope.Name, i.Name, i.Description, i.Unit, i.Kind, i.Temporality, i.IsMonotonic,
                    [.. i.Series.Values.Select(s => new SeriesData(s.Attributes, [.. s.Points.Select(Copy)]))]))];
        }
    }

    public TelemetryStats GetStats()
    {
        lock (_gate)
        {
            return new TelemetryStats(_logs.Count, _droppedLogs, _traces.Count, _droppedTraces, _spanCount, _droppedSpans,
                _pointOrder.Count, _droppedPoints, Interlocked.Read(ref _rejected), Limits);
        }
    }

    // Only a point's end time changes after it is stored, but a copy keeps serialization out of the lock altogether.
    private static MetricPoint Copy(MetricPoint point) => new()
    {
        StartUnixNano = point.StartUnixNano, TimeUnixNano = point.TimeUnixNano, Value = point.Value, Count = point.Count, Sum = point.Sum,
        Min = point.Min, Max = point.Max, ExplicitBounds = point.ExplicitBounds, BucketCounts = point.BucketCounts, Scale = point.Scale,
        ZeroCount = point.ZeroCount, ZeroThreshold = point.ZeroThreshold, PositiveOffset = point.PositiveOffset, PositiveCounts = point.PositiveCounts,
        NegativeOffset = point.NegativeOffset, NegativeCounts = point.NegativeCounts, Quantiles = point.Quantiles, NoRecordedValue = point.NoRecordedValue,
    };

    private static bool Matches(TelemetryLog log, LogQuery query) =>
        log.Resource.Matches(query.Resource)
        && log.SeverityNumber >= query.MinSeverity
        && (string.IsNullOrEmpty(query.TraceId) || string.Equals(log.TraceId, query.TraceId, StringComparison.OrdinalIgnoreCase))
        && (string.IsNullOrEmpty(query.Text) || log.Body.Contains(query.Text, StringComparison.OrdinalIgnoreCase)
            || log.Attributes.Any(a => a.Value.Contains(query.Text, StringComparison.OrdinalIgnoreCase)))
        && (string.IsNullOrEmpty(query.AttributeKey) || log.Attributes.Any(a =>
            string.Equals(a.Key, query.AttributeKey, StringComparison.OrdinalIgnoreCase)
            && (string.IsNullOrEmpty(query.AttributeValue) || a.Value.Contains(query.AttributeValue, StringComparison.OrdinalIgnoreCase))));
}

/// <summary>A line of the traces list.</summary>
internal sealed record TraceSummary(string TraceId, string Name, string RootResource, IReadOnlyList<string> Resources, long StartUnixNano,
    double DurationMs, int SpanCount, int ErrorCount, long LastUpdated)
{
    public static TraceSummary Of(TelemetryTrace trace) => new(
        trace.TraceId, trace.Root?.Name ?? "", trace.Root?.Resource.DisplayName ?? "", [.. trace.Resources.Order(StringComparer.Ordinal)],
        trace.StartUnixNano, trace.Duration.TotalMilliseconds, trace.Spans.Count, trace.ErrorCount, trace.LastUpdated);
}

internal sealed record InstrumentSummary(string Name, string Meter, string Description, string Unit, string Kind, IReadOnlyList<string> Resources);

internal sealed record SeriesData(IReadOnlyList<TelemetryAttribute> Attributes, IReadOnlyList<MetricPoint> Points);

internal sealed record InstrumentData(string Resource, string Meter, string Name, string Description, string Unit, InstrumentKind Kind,
    string Temporality, bool IsMonotonic, IReadOnlyList<SeriesData> Series);
