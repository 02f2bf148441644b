using AddressBook.Hosting.Dashboard.Telemetry;

namespace AddressBook.Hosting.Dashboard.Api;

internal sealed record ExceptionView(string? Type, string? Message, string? StackTrace);

internal sealed record LogView(
    long Sequence, DateTimeOffset Timestamp, string Resource, string Level, int SeverityNumber, string SeverityText, string Message, string Category,
    string EventName, IReadOnlyList<TelemetryAttribute> Attributes, int DroppedAttributes, ExceptionView? Exception, string? TraceId, string? SpanId)
{
    public static LogView Of(TelemetryLog log) => new(
        log.Sequence, Time(log.TimeUnixNano), log.Resource.DisplayName, log.Level, log.SeverityNumber, log.SeverityText, log.Body, log.Scope.Name,
        log.EventName, log.Attributes, log.DroppedAttributes,
        log.Attribute("exception.type") is null && log.Attribute("exception.message") is null && log.Attribute("exception.stacktrace") is null
            ? null
            : new ExceptionView(log.Attribute("exception.type"), log.Attribute("exception.message"), log.Attribute("exception.stacktrace")),
        log.TraceId, log.SpanId);

    public static DateTimeOffset Time(long unixNano) => DateTimeOffset.UnixEpoch.AddTicks(unixNano / 100);
}

internal sealed record TraceListItem(string TraceId, string Name, string RootResource, IReadOnlyList<string> Resources, DateTimeOffset Start,
    double DurationMs, int SpanCount, int ErrorCount)
{
    public static TraceListItem Of(TraceSummary summary) => new(summary.TraceId, summary.Name, summary.RootResource, summary.Resources,
        LogView.Time(summary.StartUnixNano), summary.DurationMs, summary.SpanCount, summary.ErrorCount);
}

internal sealed record SpanEventView(double OffsetMs, string Name, IReadOnlyList<TelemetryAttribute> Attributes);

/// <summary>A span of the waterfall: offsets are from the trace's start; depth counts its ancestors found in the trace.</summary>
internal sealed record SpanView(
    string SpanId, string? ParentSpanId, int Depth, string Name, string Kind, string Resource, string Scope, DateTimeOffset Start, double OffsetMs,
    double DurationMs, string Status, string StatusMessage, IReadOnlyList<TelemetryAttribute> Attributes, int DroppedAttributes,
    IReadOnlyList<SpanEventView> Events, IReadOnlyList<SpanLink> Links);

internal sealed record TraceView(string TraceId, DateTimeOffset Start, double DurationMs, IReadOnlyList<string> Resources, int ErrorCount, IReadOnlyList<SpanView> Spans)
{
    /// <summary>Spans in waterfall order: each after its parent, siblings by start time; orphans (parent not received) at the top level.</summary>
    public static TraceView Of(string traceId, IReadOnlyList<TelemetrySpan> spans)
    {
        var start = spans.Min(s => s.StartUnixNano);
        var end = spans.Max(s => s.EndUnixNano);
        var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        var children = spans.Where(s => s.ParentSpanId is { } parent && ids.Contains(parent)).ToLookup(s => s.ParentSpanId!);
        var ordered = new List<SpanView>(spans.Count);
        var visited = new HashSet<string>(StringComparer.Ordinal);

        void Visit(TelemetrySpan span, int depth)
        {
            if (!visited.Add(span.SpanId))
            {
                return;
            }

            ordered.Add(new SpanView(span.SpanId, span.ParentSpanId, depth, span.Name, span.Kind, span.Resource.DisplayName,
                span.Scope.Name, LogView.Time(span.StartUnixNano), Ms(span.StartUnixNano - start), Ms(span.EndUnixNano - span.StartUnixNano),
                span.StatusCode, span.StatusMessage, span.Attributes, span.DroppedAttributes,
                [.. span.Events.Select(e => new SpanEventView(Ms(e.TimeUnixNano - start), e.Name, e.Attributes))], span.Links));
            foreach (var child in children[span.SpanId].OrderBy(s => s.StartUnixNano))
            {
                Visit(child, depth + 1);
            }
        }

        foreach (var top in spans.Where(s => s.ParentSpanId is null || !ids.Contains(s.ParentSpanId)).OrderBy(s => s.StartUnixNano))
        {
            Visit(top, 0);
        }

        // A cycle of parents (only a broken client sends one) would leave spans unvisited; they still belong on the page.
        foreach (var rest in spans.Where(s => !visited.Contains(s.SpanId)))
        {
            Visit(rest, 0);
        }

        return new TraceView(traceId, LogView.Time(start), Ms(end - start), [.. spans.Select(s => s.Resource.DisplayName).Distinct().Order(StringComparer.Ordinal)],
            spans.Count(s => s.IsError), ordered);
    }

    private static double Ms(long nanoseconds) => nanoseconds / 1_000_000.0;
}
