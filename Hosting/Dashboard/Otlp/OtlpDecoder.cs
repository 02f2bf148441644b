using System.Globalization;
using System.Text;
using System.Text.Json;
using AddressBook.Hosting.Dashboard.Otlp.Collector.Logs;
using AddressBook.Hosting.Dashboard.Otlp.Collector.Metrics;
using AddressBook.Hosting.Dashboard.Otlp.Collector.Trace;
using AddressBook.Hosting.Dashboard.Otlp.Common;
using AddressBook.Hosting.Dashboard.Telemetry;
using Google.Protobuf;
using Google.Protobuf.Collections;
using OtlpMetric = AddressBook.Hosting.Dashboard.Otlp.Metrics;
using OtlpResource = AddressBook.Hosting.Dashboard.Otlp.Resource.Resource;
using OtlpSpan = AddressBook.Hosting.Dashboard.Otlp.Trace.Span;

namespace AddressBook.Hosting.Dashboard.Otlp;

/// <summary>What an export request amounted to: items the dashboard could not take are reported back as a partial success.</summary>
internal readonly record struct IngestResult(long Rejected, string? ErrorMessage);

/// <summary>
/// Turns OTLP export requests into the dashboard's telemetry. Items that break the protocol's rules (ids of the wrong
/// length, points without a value) are rejected one by one, so the rest of a batch still counts.
/// </summary>
internal sealed class OtlpDecoder(TelemetryRepository repository)
{
    private const string UnknownService = "unknown_service";
    private TelemetryLimits Limits => repository.Limits;

    public IngestResult Ingest(ExportTraceServiceRequest request)
    {
        var rejected = 0L;
        string? error = null;
        var spans = new List<TelemetrySpan>();
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var resource = Resource(resourceSpans.Resource);
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                var scope = Scope(scopeSpans.Scope);
                foreach (var span in scopeSpans.Spans)
                {
                    if (HexId(span.TraceId, 16) is not { } traceId || HexId(span.SpanId, 8) is not { } spanId)
                    {
                        rejected++;
                        error ??= $"Span '{span.Name}' has a trace id of {span.TraceId.Length} bytes or a span id of {span.SpanId.Length} bytes; they must be 16 and 8 bytes, not all zero.";
                        continue;
                    }

                    spans.Add(Span(span, resource, scope, traceId, spanId));
                }
            }
        }

        repository.AddSpans(spans);
        return Result(rejected, error);
    }

    public IngestResult Ingest(ExportLogsServiceRequest request)
    {
        var records = new List<Func<long, TelemetryLog>>();
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var resource = Resource(resourceLogs.Resource);
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                var scope = Scope(scopeLogs.Scope);
                foreach (var record in scopeLogs.LogRecords)
                {
                    var (attributes, dropped) = Attributes(record.Attributes);
                    var time = record.TimeUnixNano != 0 ? record.TimeUnixNano
                        : record.ObservedTimeUnixNano != 0 ? record.ObservedTimeUnixNano
                        : (ulong)(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000);
                    records.Add(sequence => new TelemetryLog
                    {
                        Sequence = sequence,
                        Resource = resource,
                        Scope = scope,
                        TimeUnixNano = (long)time,
                        SeverityNumber = (int)record.SeverityNumber,
                        SeverityText = record.SeverityText,
                        Level = LevelOf((int)record.SeverityNumber, record.SeverityText),
                        Body = record.Body is null ? "" : Cut(Render(record.Body, nested: false)),
                        EventName = record.EventName,
                        Attributes = attributes,
                        DroppedAttributes = (int)record.DroppedAttributesCount + dropped,
                        // Ids are optional on logs: a malformed one is treated as absent rather than losing the record.
                        TraceId = HexId(record.TraceId, 16),
                        SpanId = HexId(record.SpanId, 8),
                        Flags = record.Flags,
                    });
                }
            }
        }

        repository.AddLogs(records);
        return new IngestResult(0, null);
    }

    public IngestResult Ingest(ExportMetricsServiceRequest request)
    {
        var rejected = 0L;
        string? error = null;
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            var resource = Resource(resourceMetrics.Resource);
            foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
            {
                var scope = Scope(scopeMetrics.Scope);
                foreach (var metric in scopeMetrics.Metrics)
                {
                    var points = new List<(IReadOnlyList<TelemetryAttribute>, MetricPoint)>();
                    (InstrumentKind Kind, string Temporality, bool Monotonic)? shape = metric.DataCase switch
                    {
                        OtlpMetric.Metric.DataOneofCase.Gauge => (InstrumentKind.Gauge, "Unspecified", false),
                        OtlpMetric.Metric.DataOneofCase.Sum => (InstrumentKind.Sum, Temporality(metric.Sum.AggregationTemporality), metric.Sum.IsMonotonic),
                        OtlpMetric.Metric.DataOneofCase.Histogram => (InstrumentKind.Histogram, Temporality(metric.Histogram!.AggregationTemporality), false),
                        OtlpMetric.Metric.DataOneofCase.ExponentialHistogram => (InstrumentKind.ExponentialHistogram, Temporality(metric.ExponentialHistogram!.AggregationTemporality), false),
                        OtlpMetric.Metric.DataOneofCase.Summary => (InstrumentKind.Summary, "Unspecified", false),
                        _ => null,
                    };
                    if (shape is not { } known)
                    {
                        rejected++;
                        error ??= $"Metric '{metric.Name}' carries no data.";
                        continue;
                    }

                    var numbers = metric.DataCase switch
                    {
                        OtlpMetric.Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints,
                        OtlpMetric.Metric.DataOneofCase.Sum => metric.Sum.DataPoints,
                        _ => null,
                    };
                    foreach (var point in numbers ?? [])
                    {
                        if (NumberPoint(point) is { } decoded)
                        {
                            points.Add((Attributes(point.Attributes).Attributes, decoded));
                        }
                        else
                        {
                            rejected++;
                            error ??= $"A point of '{metric.Name}' has no value.";
                        }
                    }

                    foreach (var point in metric.Histogram?.DataPoints ?? [])
                    {
                        if (point.BucketCounts.Count > 0 && point.BucketCounts.Count != point.ExplicitBounds.Count + 1)
                        {
                            rejected++;
                            error ??= $"A point of '{metric.Name}' has {point.BucketCounts.Count} buckets for {point.ExplicitBounds.Count} bounds; it needs one more bucket than bounds.";
                            continue;
                        }

                        points.Add((Attributes(point.Attributes).Attributes, new MetricPoint
                        {
                            StartUnixNano = (long)point.StartTimeUnixNano, TimeUnixNano = (long)point.TimeUnixNano, Count = point.Count,
                            Sum = point.HasSum ? point.Sum : null, Min = point.HasMin ? point.Min : null, Max = point.HasMax ? point.Max : null,
                            ExplicitBounds = [.. point.ExplicitBounds], BucketCounts = [.. point.BucketCounts], NoRecordedValue = NoRecordedValue(point.Flags),
                        }));
                    }

                    foreach (var point in metric.ExponentialHistogram?.DataPoints ?? [])
                    {
                        points.Add((Attributes(point.Attributes).Attributes, new MetricPoint
                        {
                            StartUnixNano = (long)point.StartTimeUnixNano, TimeUnixNano = (long)point.TimeUnixNano, Count = point.Count,
                            Sum = point.HasSum ? point.Sum : null, Min = point.HasMin ? point.Min : null, Max = point.HasMax ? point.Max : null,
                            Scale = point.Scale, ZeroCount = point.ZeroCount, ZeroThreshold = point.ZeroThreshold,
                            PositiveOffset = point.Positive?.Offset ?? 0, PositiveCounts = point.Positive is { } positive ? [.. positive.BucketCounts] : [],
                            NegativeOffset = point.Negative?.Offset ?? 0, NegativeCounts = point.Negative is { } negative ? [.. negative.BucketCounts] : [],
                            NoRecordedValue = NoRecordedValue(point.Flags),
                        }));
                    }

                    foreach (var point in metric.Summary?.DataPoints ?? [])
                    {
                        points.Add((Attributes(point.Attributes).Attributes, new MetricPoint
                        {
                            StartUnixNano = (long)point.StartTimeUnixNano, TimeUnixNano = (long)point.TimeUnixNano, Count = point.Count, Sum = point.Sum,
                            Quantiles = [.. point.QuantileValues.Select(q => new[] { q.Quantile, q.Value })], NoRecordedValue = NoRecordedValue(point.Flags),
                        }));
                    }

                    repository.AddMetric(resource, scope, metric.Name, instrument =>
                    {
                        instrument.Description = metric.Description;
                        instrument.Unit = metric.Unit;
                        (instrument.Kind, instrument.Temporality, instrument.IsMonotonic) = known;
                    }, points);
                }
            }
        }

        return Result(rejected, error);
    }

    /// <summary>Renders an OTLP value: scalars as text at the top level, arrays and key-value lists as JSON.</summary>
    public static string Render(AnyValue value, bool nested)
    {
        switch (value.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                return nested ? JsonSerializer.Serialize(value.StringValue) : value.StringValue;
            case AnyValue.ValueOneofCase.BoolValue:
                return value.BoolValue ? "true" : "false";
            case AnyValue.ValueOneofCase.IntValue:
                return value.IntValue.ToString(CultureInfo.InvariantCulture);
            case AnyValue.ValueOneofCase.DoubleValue:
                return value.DoubleValue.ToString("R", CultureInfo.InvariantCulture);
            case AnyValue.ValueOneofCase.BytesValue:
                var base64 = value.BytesValue.ToBase64();
                return nested ? JsonSerializer.Serialize(base64) : base64;
            case AnyValue.ValueOneofCase.ArrayValue:
                return "[" + string.Join(",", value.ArrayValue.Values.Select(v => Render(v, nested: true))) + "]";
            case AnyValue.ValueOneofCase.KvlistValue:
                var builder = new StringBuilder("{");
                foreach (var (pair, index) in value.KvlistValue.Values.Select((p, i) => (p, i)))
                {
                    builder.Append(index == 0 ? "" : ",").Append(JsonSerializer.Serialize(pair.Key)).Append(':')
                        .Append(pair.Value is null ? "null" : Render(pair.Value, nested: true));
                }

                return builder.Append('}').ToString();
            default:
                return nested ? "null" : "";
        }
    }

    /// <summary>The level names of .NET's logging, from OTLP's severity ranges (1-4 trace ... 21-24 fatal).</summary>
    public static string LevelOf(int severityNumber, string severityText) => severityNumber switch
    {
        >= 1 and <= 4 => "Trace",
        >= 5 and <= 8 => "Debug",
        >= 9 and <= 12 => "Information",
        >= 13 and <= 16 => "Warning",
        >= 17 and <= 20 => "Error",
        >= 21 and <= 24 => "Critical",
        _ => string.IsNullOrEmpty(severityText) ? "Unspecified" : severityText,
    };

    private static IngestResult Result(long rejected, string? error) => new(rejected, rejected > 0 ? error : null);

    private TelemetryResource Resource(OtlpResource? resource)
    {
        var (attributes, _) = Attributes(resource?.Attributes);
        var serviceName = attributes.FirstOrDefault(a => a.Key == "service.name")?.Value is { Length: > 0 } name ? name : UnknownService;
        var instanceId = attributes.FirstOrDefault(a => a.Key == "service.instance.id")?.Value;
        return repository.GetOrAddResource(serviceName, instanceId, attributes);
    }

    private static TelemetryScope Scope(InstrumentationScope? scope) => new(scope?.Name ?? "", scope?.Version ?? "");

    private TelemetrySpan Span(OtlpSpan span, TelemetryResource resource, TelemetryScope scope, string traceId, string spanId)
    {
        var (attributes, dropped) = Attributes(span.Attributes);
        var events = span.Events.Select(e => new SpanEvent((long)e.TimeUnixNano, e.Name, Attributes(e.Attributes).Attributes));
        var keptEvents = Limits.MaxSpanEventCount is { } maxEvents ? events.Take(maxEvents).ToList() : events.ToList();
        return new TelemetrySpan
        {
            Resource = resource,
            Scope = scope,
            TraceId = traceId,
            SpanId = spanId,
            ParentSpanId = HexId(span.ParentSpanId, 8),
            TraceState = span.TraceState,
            Name = span.Name,
            Kind = span.Kind switch
            {
                OtlpSpan.Types.SpanKind.Internal => "Internal",
                OtlpSpan.Types.SpanKind.Server => "Server",
                OtlpSpan.Types.SpanKind.Client => "Client",
                OtlpSpan.Types.SpanKind.Producer => "Producer",
                OtlpSpan.Types.SpanKind.Consumer => "Consumer",
                _ => "Unspecified",
            },
            StartUnixNano = (long)span.StartTimeUnixNano,
            EndUnixNano = (long)Math.Max(span.EndTimeUnixNano, span.StartTimeUnixNano),
            Attributes = attributes,
            DroppedAttributes = (int)span.DroppedAttributesCount + dropped,
            Events = keptEvents,
            DroppedEvents = (int)span.DroppedEventsCount + (span.Events.Count - keptEvents.Count),
            Links = [.. span.Links.Select(l => new SpanLink(HexId(l.TraceId, 16) ?? "", HexId(l.SpanId, 8) ?? "", l.TraceState, Attributes(l.Attributes).Attributes))],
            DroppedLinks = (int)span.DroppedLinksCount,
            StatusCode = span.Status?.Code switch
            {
                Trace.Status.Types.StatusCode.Ok => "Ok",
                Trace.Status.Types.StatusCode.Error => "Error",
                _ => "Unset",
            },
            StatusMessage = span.Status?.Message ?? "",
        };
    }

    private (IReadOnlyList<TelemetryAttribute> Attributes, int Dropped) Attributes(RepeatedField<KeyValue>? pairs)
    {
        if (pairs is null || pairs.Count == 0)
        {
            return ([], 0);
        }

        var kept = Math.Min(pairs.Count, Limits.MaxAttributeCount);
        var attributes = new TelemetryAttribute[kept];
        for (var i = 0; i < kept; i++)
        {
            attributes[i] = new TelemetryAttribute(pairs[i].Key, pairs[i].Value is null ? "" : Cut(Render(pairs[i].Value, nested: false)));
        }

        return (attributes, pairs.Count - kept);
    }

    private string Cut(string value) => Limits.MaxAttributeLength is { } max && value.Length > max ? value[..max] : value;

    private static MetricPoint? NumberPoint(OtlpMetric.NumberDataPoint point)
    {
        double? value = point.ValueCase switch
        {
            OtlpMetric.NumberDataPoint.ValueOneofCase.AsDouble => point.AsDouble,
            OtlpMetric.NumberDataPoint.ValueOneofCase.AsInt => point.AsInt,
            _ => null,
        };
        if (value is null && !NoRecordedValue(point.Flags))
        {
            return null;
        }

        return new MetricPoint
        {
            StartUnixNano = (long)point.StartTimeUnixNano, TimeUnixNano = (long)point.TimeUnixNano, Value = value, NoRecordedValue = NoRecordedValue(point.Flags),
        };
    }

    private static bool NoRecordedValue(uint flags) => (flags & (uint)OtlpMetric.DataPointFlags.NoRecordedValueMask) != 0;

    private static string Temporality(OtlpMetric.AggregationTemporality temporality) => temporality switch
    {
        OtlpMetric.AggregationTemporality.Delta => "Delta",
        OtlpMetric.AggregationTemporality.Cumulative => "Cumulative",
        _ => "Unspecified",
    };

    /// <summary>Lower-case hex of an id of the expected length, or null when it is missing, malformed or all zero.</summary>
    private static string? HexId(ByteString id, int length) =>
        id.Length == length && id.Span.ContainsAnyExcept((byte)0) ? Convert.ToHexStringLower(id.Span) : null;
}
