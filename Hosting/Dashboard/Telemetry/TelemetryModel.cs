namespace AddressBook.Hosting.Dashboard.Telemetry;

/// <summary>An attribute as the dashboard shows it: scalars as text, arrays and maps as JSON, bytes as base64.</summary>
internal sealed record TelemetryAttribute(string Key, string Value);

/// <summary>The instrumentation library that produced an item.</summary>
internal sealed record TelemetryScope(string Name, string Version);

/// <summary>
/// One process that sends telemetry, told apart by <c>service.name</c> and <c>service.instance.id</c>. Its display
/// name is the replica's name when the app host started it, so telemetry and resources read alike.
/// </summary>
internal sealed class TelemetryResource(string serviceName, string instanceId, string displayName, IReadOnlyList<TelemetryAttribute> attributes)
{
    public string ServiceName { get; } = serviceName;

    public string InstanceId { get; } = instanceId;

    public string DisplayName { get; } = displayName;

    public IReadOnlyList<TelemetryAttribute> Attributes { get; } = attributes;

    /// <summary>Whether a filter naming a resource (<c>api</c>) or a replica (<c>api-2</c>) selects this one.</summary>
    public bool Matches(string? name) =>
        string.IsNullOrEmpty(name)
        || string.Equals(name, ServiceName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, DisplayName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, InstanceId, StringComparison.OrdinalIgnoreCase);
}

internal sealed record SpanEvent(long TimeUnixNano, string Name, IReadOnlyList<TelemetryAttribute> Attributes);

internal sealed record SpanLink(string TraceId, string SpanId, string TraceState, IReadOnlyList<TelemetryAttribute> Attributes);

/// <summary>One span, as decoded from OTLP; ids are lower-case hex.</summary>
internal sealed class TelemetrySpan
{
    public required TelemetryResource Resource { get; init; }

    public required TelemetryScope Scope { get; init; }

    public required string TraceId { get; init; }

    public required string SpanId { get; init; }

    public string? ParentSpanId { get; init; }

    public string TraceState { get; init; } = "";

    public required string Name { get; init; }

    /// <summary>Internal, Server, Client, Producer, Consumer or Unspecified.</summary>
    public required string Kind { get; init; }

    public long StartUnixNano { get; init; }

    public long EndUnixNano { get; init; }

    public IReadOnlyList<TelemetryAttribute> Attributes { get; init; } = [];

    public int DroppedAttributes { get; init; }

    public IReadOnlyList<SpanEvent> Events { get; init; } = [];

    public int DroppedEvents { get; init; }

    public IReadOnlyList<SpanLink> Links { get; init; } = [];

    public int DroppedLinks { get; init; }

    /// <summary>Unset, Ok or Error.</summary>
    public string StatusCode { get; init; } = "Unset";

    public string StatusMessage { get; init; } = "";

    public bool IsError => StatusCode == "Error";

    public string? Attribute(string key) => Attributes.FirstOrDefault(a => a.Key == key)?.Value;
}

/// <summary>The spans received so far for one trace id, with a summary kept up to date as spans arrive.</summary>
internal sealed class TelemetryTrace(string traceId, long sequence)
{
    private readonly List<TelemetrySpan> _spans = [];
    private readonly HashSet<string> _resources = new(StringComparer.Ordinal);

    public string TraceId { get; } = traceId;

    /// <summary>Its position among traces, in the order they were first seen.</summary>
    public long Sequence { get; } = sequence;

    /// <summary>Bumped at every new span, so a page can tell which traces changed.</summary>
    public long LastUpdated { get; private set; } = sequence;

    public IReadOnlyList<TelemetrySpan> Spans => _spans;

    public IReadOnlyCollection<string> Resources => _resources;

    public long StartUnixNano { get; private set; } = long.MaxValue;

    public long EndUnixNano { get; private set; }

    public int ErrorCount { get; private set; }

    /// <summary>The span without a parent in this trace, or the earliest one while the root has not arrived.</summary>
    public TelemetrySpan? Root { get; private set; }

    public void Add(TelemetrySpan span, long updated)
    {
        _spans.Add(span);
        _resources.Add(span.Resource.DisplayName);
        StartUnixNano = Math.Min(StartUnixNano, span.StartUnixNano);
        EndUnixNano = Math.Max(EndUnixNano, span.EndUnixNano);
        ErrorCount += span.IsError ? 1 : 0;
        LastUpdated = updated;
        var isRoot = span.ParentSpanId is null;
        if (Root is null || (isRoot && Root.ParentSpanId is not null) || (isRoot == (Root.ParentSpanId is null) && span.StartUnixNano < Root.StartUnixNano))
        {
            Root = span;
        }
    }

    public TimeSpan Duration => TimeSpan.FromTicks(Math.Max(0, EndUnixNano - StartUnixNano) / 100);
}

/// <summary>One structured log record.</summary>
internal sealed class TelemetryLog
{
    public required long Sequence { get; init; }

    public required TelemetryResource Resource { get; init; }

    public required TelemetryScope Scope { get; init; }

    public long TimeUnixNano { get; init; }

    public int SeverityNumber { get; init; }

    public string SeverityText { get; init; } = "";

    /// <summary>Trace, Debug, Information, Warning, Error, Critical or Unspecified.</summary>
    public required string Level { get; init; }

    public string Body { get; init; } = "";

    public string EventName { get; init; } = "";

    public IReadOnlyList<TelemetryAttribute> Attributes { get; init; } = [];

    public int DroppedAttributes { get; init; }

    public string? TraceId { get; init; }

    public string? SpanId { get; init; }

    public uint Flags { get; init; }

    public string? Attribute(string key) => Attributes.FirstOrDefault(a => a.Key == key)?.Value;
}

/// <summary>The kinds of OTLP metric data.</summary>
internal enum InstrumentKind
{
    Gauge,
    Sum,
    Histogram,
    ExponentialHistogram,
    Summary,
}

/// <summary>
/// One data point of any kind; fields that do not apply to its kind stay empty. Points that repeat the previous
/// value only stretch it in time, which keeps idle instruments from filling the store.
/// </summary>
internal sealed class MetricPoint
{
    public long StartUnixNano { get; init; }

    public long TimeUnixNano { get; set; }

    /// <summary>Gauge and sum value.</summary>
    public double? Value { get; init; }

    public ulong Count { get; init; }

    public double? Sum { get; init; }

    public double? Min { get; init; }

    public double? Max { get; init; }

    /// <summary>Histogram: upper bounds; the last bucket has none.</summary>
    public double[]? ExplicitBounds { get; init; }

    /// <summary>Histogram: count per bucket.</summary>
    public ulong[]? BucketCounts { get; init; }

    /// <summary>Exponential histogram: the base is 2^(2^-scale).</summary>
    public int Scale { get; init; }

    public ulong ZeroCount { get; init; }

    public double ZeroThreshold { get; init; }

    public int PositiveOffset { get; init; }

    public ulong[]? PositiveCounts { get; init; }

    public int NegativeOffset { get; init; }

    public ulong[]? NegativeCounts { get; init; }

    /// <summary>Summary: (quantile, value) pairs.</summary>
    public double[][]? Quantiles { get; init; }

    /// <summary>Whether the producer said no value was recorded (a gap).</summary>
    public bool NoRecordedValue { get; init; }

    public bool SameValueAs(MetricPoint other) =>
        StartUnixNano == other.StartUnixNano && Value == other.Value && Count == other.Count && Sum == other.Sum
        && NoRecordedValue == other.NoRecordedValue && Quantiles is null && other.Quantiles is null;
}

/// <summary>The points of one instrument for one set of attribute values.</summary>
internal sealed class MetricSeries(IReadOnlyList<TelemetryAttribute> attributes)
{
    public IReadOnlyList<TelemetryAttribute> Attributes { get; } = attributes;

    public Queue<MetricPoint> Points { get; } = new();
}

/// <summary>An instrument of one resource: its description and a series per attribute set.</summary>
internal sealed class TelemetryInstrument(TelemetryResource resource, TelemetryScope scope, string name)
{
    public TelemetryResource Resource { get; } = resource;

    public TelemetryScope Scope { get; } = scope;

    public string Name { get; } = name;

    public string Description { get; set; } = "";

    public string Unit { get; set; } = "";

    public InstrumentKind Kind { get; set; }

    /// <summary>Delta, Cumulative or Unspecified; gauges and summaries have none.</summary>
    public string Temporality { get; set; } = "Unspecified";

    public bool IsMonotonic { get; set; }

    public Dictionary<string, MetricSeries> Series { get; } = new(StringComparer.Ordinal);
}
