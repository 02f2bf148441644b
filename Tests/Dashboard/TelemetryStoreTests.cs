using AddressBook.Hosting.Dashboard.Telemetry;

namespace AddressBook.Tests.Dashboard;

/// <summary>The store's memory bound: past each limit the oldest go first, and the drops are counted.</summary>
public sealed class TelemetryStoreTests
{
    private static readonly TelemetryScope Scope = new("test", "");

    [Fact]
    public void Past_the_trace_limit_the_oldest_traces_are_dropped_and_counted()
    {
        var store = new TelemetryRepository(new TelemetryLimits { MaxTraceCount = 10 });
        var resource = store.GetOrAddResource("svc", null, []);

        for (var i = 1; i <= 15; i++)
        {
            store.AddSpans([Span(resource, i)]);
        }

        var stats = store.GetStats();
        Assert.Equal((10, 5L, 10), (stats.Traces, stats.DroppedTraces, stats.Spans));
        Assert.Null(store.GetTrace(TraceId(5)));
        Assert.NotNull(store.GetTrace(TraceId(6)));
        Assert.Equal(10, store.GetTraces(new TraceQuery(Limit: 100)).Matched);
    }

    [Fact]
    public void Past_the_log_limit_the_oldest_records_are_dropped_and_counted()
    {
        var store = new TelemetryRepository(new TelemetryLimits { MaxLogCount = 100 });
        var resource = store.GetOrAddResource("svc", "svc-1", []);

        store.AddLogs(Enumerable.Range(1, 250).Select(i => (Func<long, TelemetryLog>)(sequence => new TelemetryLog
        {
            Sequence = sequence, Resource = resource, Scope = Scope, Level = "Information", Body = $"line {i}",
        })));

        var (items, matched) = store.GetLogs(new LogQuery(Limit: 1000));
        Assert.Equal(100, matched);
        Assert.Equal("line 151", items[0].Body);
        Assert.Equal("line 250", items[^1].Body);
        Assert.Equal(150, store.GetStats().DroppedLogs);
    }

    [Fact]
    public void Past_the_point_limit_the_oldest_points_of_any_instrument_are_dropped_and_repeated_values_only_stretch()
    {
        var store = new TelemetryRepository(new TelemetryLimits { MaxMetricsCount = 50 });
        var resource = store.GetOrAddResource("svc", null, []);

        for (var i = 1; i <= 80; i++)
        {
            store.AddMetric(resource, Scope, i % 2 == 0 ? "even" : "odd", instrument => instrument.Kind = InstrumentKind.Gauge,
                [([], new MetricPoint { TimeUnixNano = i, Value = i })]);
        }

        // An unchanged value extends the last point instead of adding one.
        store.AddMetric(resource, Scope, "even", instrument => instrument.Kind = InstrumentKind.Gauge, [([], new MetricPoint { TimeUnixNano = 81, Value = 80 })]);

        var stats = store.GetStats();
        Assert.Equal((50, 30L), (stats.MetricPoints, stats.DroppedMetricPoints));
        var even = Assert.Single(Assert.Single(store.GetInstrumentData("svc", "test", "even")).Series).Points;
        Assert.Equal(25, even.Count);
        Assert.Equal((32.0, 80.0), (even[0].Value!.Value, even[^1].Value!.Value));
        Assert.Equal(81, even[^1].TimeUnixNano);
    }

    [Fact]
    public void Attributes_past_the_count_limit_are_dropped_and_counted_and_long_values_cut()
    {
        var store = new TelemetryRepository(new TelemetryLimits { MaxAttributeCount = 2, MaxAttributeLength = 4 });
        var decoder = new AddressBook.Hosting.Dashboard.Otlp.OtlpDecoder(store);
        var record = new AddressBook.Hosting.Dashboard.Otlp.Logs.LogRecord { Body = new() { StringValue = "body text" } };
        foreach (var key in new[] { "a", "b", "c" })
        {
            record.Attributes.Add(new AddressBook.Hosting.Dashboard.Otlp.Common.KeyValue { Key = key, Value = new() { StringValue = "0123456789" } });
        }

        decoder.Ingest(new AddressBook.Hosting.Dashboard.Otlp.Collector.Logs.ExportLogsServiceRequest
        {
            ResourceLogs = { new AddressBook.Hosting.Dashboard.Otlp.Logs.ResourceLogs { ScopeLogs = { new AddressBook.Hosting.Dashboard.Otlp.Logs.ScopeLogs { LogRecords = { record } } } } },
        });

        var log = Assert.Single(store.GetLogs(new LogQuery()).Items);
        Assert.Equal("unknown_service", log.Resource.ServiceName);
        Assert.Equal([new("a", "0123"), new("b", "0123")], log.Attributes);
        Assert.Equal(1, log.DroppedAttributes);
        Assert.Equal("body", log.Body);
    }

    [Fact]
    public async Task Logs_spans_and_points_each_wake_the_one_wait_of_a_live_page()
    {
        var store = new TelemetryRepository(new TelemetryLimits());
        var resource = store.GetOrAddResource("svc", null, []);
        Action[] additions =
        [
            () => store.AddLogs([sequence => new TelemetryLog { Sequence = sequence, Resource = resource, Scope = Scope, Level = "Information", Body = "x" }]),
            () => store.AddSpans([Span(resource, 1)]),
            () => store.AddMetric(resource, Scope, "gauge", instrument => instrument.Kind = InstrumentKind.Gauge, [([], new MetricPoint { TimeUnixNano = 1, Value = 1 })]),
        ];

        foreach (var add in additions)
        {
            var seen = store.Changed.Version;
            var wait = store.Changed.WaitPastAsync(seen, CancellationToken.None);
            Assert.False(wait.IsCompleted);
            add();
            await wait.WaitAsync(TimeSpan.FromSeconds(5));
            Assert.NotEqual(seen, store.Changed.Version);
        }

        // A page that goes away ends its wait with its connection.
        using var gone = new CancellationTokenSource();
        var abandoned = store.Changed.WaitPastAsync(store.Changed.Version, gone.Token);
        await gone.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
    }

    private static string TraceId(int i) => i.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);

    private static TelemetrySpan Span(TelemetryResource resource, int i) => new()
    {
        Resource = resource, Scope = Scope, TraceId = TraceId(i), SpanId = i.ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
        Name = $"span {i}", Kind = "Internal", StartUnixNano = i * 1000L, EndUnixNano = (i * 1000L) + 500,
    };
}
