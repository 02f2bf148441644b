using System.Diagnostics;
using System.Diagnostics.Metrics;
using AddressBook.Hosting;
using AddressBook.Hosting.Dashboard;
using AddressBook.Hosting.Dashboard.Telemetry;
using AddressBook.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AddressBook.Tests.Dashboard;

/// <summary>
/// The dashboard's OTLP receivers, fed by the OpenTelemetry SDK's own exporter over both transports: what the SDK
/// sends must come out of the store as it went in.
/// </summary>
public sealed class OtlpReceiverTests(OtlpReceiverTests.ReceiverFixture receiver) : IClassFixture<OtlpReceiverTests.ReceiverFixture>
{
    public sealed class ReceiverFixture : IAsyncLifetime
    {
        public DistributedApplication App { get; private set; } = null!;

        internal DashboardServer Dashboard => App.Dashboard();

        public async Task InitializeAsync()
        {
            // Exception details travel as attributes only when asked for, as the app host asks for its projects.
            Environment.SetEnvironmentVariable("OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES", "true");
            App = await Dashboards.StartEmptyAsync();
        }

        public async Task DisposeAsync() => await App.DisposeAsync();
    }

    public static TheoryData<OtlpExportProtocol> Protocols => [OtlpExportProtocol.Grpc, OtlpExportProtocol.HttpProtobuf];

    private DashboardServer Dashboard => receiver.Dashboard;

    [Theory]
    [MemberData(nameof(Protocols))]
    public void Spans_keep_their_resource_scope_kinds_attributes_events_links_and_status(OtlpExportProtocol protocol)
    {
        var sourceName = $"test.spans.{protocol}";
        using var source = new ActivitySource(sourceName, "1.2.3");
        ActivityContext serverContext;
        using (var tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(Resource($"spans-{protocol}"))
            .AddSource(sourceName)
            .AddOtlpExporter(o => Configure(o, protocol, "/v1/traces"))
            .Build())
        {
            using (var server = source.StartActivity("GET /orders", ActivityKind.Server)!)
            {
                server.SetTag("text", "hello");
                server.SetTag("count", 42);
                server.SetTag("ratio", 0.5);
                server.SetTag("flag", true);
                server.SetTag("names", new[] { "a", "b" });
                server.AddEvent(new ActivityEvent("cache-miss", tags: new ActivityTagsCollection { ["cache.key"] = "k1" }));
                using (var client = source.StartActivity("SELECT orders", ActivityKind.Client)!)
                {
                    client.SetStatus(ActivityStatusCode.Error, "deadlock");
                }

                serverContext = server.Context;
            }

            // A trace of its own, linked to the first.
            using (source.StartActivity("process", ActivityKind.Consumer, parentContext: default,
                links: [new ActivityLink(serverContext, new ActivityTagsCollection { ["link.reason"] = "batch" })]))
            {
            }

            Assert.True(tracing.ForceFlush(10_000));
        }

        var traces = Dashboard.Telemetry.GetTraces(new TraceQuery(Resource: $"spans-{protocol}")).Items;
        var serverTrace = Assert.Single(traces, t => t.Name == "GET /orders");
        var spans = Dashboard.Telemetry.GetTrace(serverTrace.TraceId)!;
        Assert.Equal(2, spans.Count);
        var root = spans.Single(s => s.Name == "GET /orders");
        var child = spans.Single(s => s.Name == "SELECT orders");

        Assert.Equal("Server", root.Kind);
        Assert.Null(root.ParentSpanId);
        Assert.Equal(sourceName, root.Scope.Name);
        Assert.Equal("1.2.3", root.Scope.Version);
        Assert.Equal($"spans-{protocol}", root.Resource.ServiceName);
        Assert.Equal($"spans-{protocol}-instance", root.Resource.InstanceId);
        Assert.Contains(root.Resource.Attributes, a => a.Key == "deployment.environment.name" && a.Value == "test");
        Assert.Equal("hello", root.Attribute("text"));
        Assert.Equal("42", root.Attribute("count"));
        Assert.Equal("0.5", root.Attribute("ratio"));
        Assert.Equal("true", root.Attribute("flag"));
        Assert.Equal("""["a","b"]""", root.Attribute("names"));
        var cacheMiss = Assert.Single(root.Events);
        Assert.Equal("cache-miss", cacheMiss.Name);
        Assert.Equal(new TelemetryAttribute("cache.key", "k1"), Assert.Single(cacheMiss.Attributes));
        Assert.True(root.EndUnixNano >= child.EndUnixNano && child.StartUnixNano >= root.StartUnixNano);

        Assert.Equal("Client", child.Kind);
        Assert.Equal(root.SpanId, child.ParentSpanId);
        Assert.Equal("Error", child.StatusCode);
        Assert.Equal("deadlock", child.StatusMessage);
        Assert.Equal(1, serverTrace.ErrorCount);

        var consumerTrace = Assert.Single(traces, t => t.Name == "process");
        var consumerSpan = Assert.Single(Dashboard.Telemetry.GetTrace(consumerTrace.TraceId)!);
        Assert.Equal("Consumer", consumerSpan.Kind);
        var link = Assert.Single(consumerSpan.Links);
        Assert.Equal((serverTrace.TraceId, root.SpanId), (link.TraceId, link.SpanId));
        Assert.Equal(new TelemetryAttribute("link.reason", "batch"), Assert.Single(link.Attributes));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public void Log_records_keep_severity_message_attributes_exception_and_trace(OtlpExportProtocol protocol)
    {
        var service = $"logs-{protocol}";
        ActivityTraceId traceId;
        ActivitySpanId spanId;
        using (var loggerFactory = LoggerFactory.Create(logging => logging.AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(Resource(service));
            o.IncludeFormattedMessage = true;
            o.AddOtlpExporter((exporter, processor) =>
            {
                Configure(exporter, protocol, "/v1/logs");
                processor.ExportProcessorType = ExportProcessorType.Simple;
            });
        })))
        {
            var logger = loggerFactory.CreateLogger("Shop.Orders");
            using var activity = new Activity("request").Start();
            (traceId, spanId) = (activity.TraceId, activity.SpanId);
            logger.LogWarning("Order {OrderId} shipped to {City}", 42, "Paris");
            logger.LogError(new InvalidOperationException("card declined"), "Payment failed");
            logger.LogDebug("Not kept below the provider's minimum? It is: no filter is set.");
        }

        var logs = Dashboard.Telemetry.GetLogs(new LogQuery(Resource: service)).Items;
        var shipped = Assert.Single(logs, l => l.Body.Contains("shipped", StringComparison.Ordinal));
        Assert.Equal("Order 42 shipped to Paris", shipped.Body);
        Assert.Equal("Warning", shipped.Level);
        Assert.Equal(13, shipped.SeverityNumber);
        Assert.Equal("Shop.Orders", shipped.Scope.Name);
        Assert.Equal("42", shipped.Attribute("OrderId"));
        Assert.Equal("Paris", shipped.Attribute("City"));
        Assert.Equal(traceId.ToHexString(), shipped.TraceId);
        Assert.Equal(spanId.ToHexString(), shipped.SpanId);

        var failed = Assert.Single(logs, l => l.Body == "Payment failed");
        Assert.Equal("Error", failed.Level);
        Assert.Equal(nameof(InvalidOperationException), failed.Attribute("exception.type"));
        Assert.Equal("card declined", failed.Attribute("exception.message"));

        var warningsAndAbove = Dashboard.Telemetry.GetLogs(new LogQuery(Resource: service, MinSeverity: 13)).Items;
        Assert.Equal(2, warningsAndAbove.Count);
        var byAttribute = Dashboard.Telemetry.GetLogs(new LogQuery(Resource: service, AttributeKey: "City", AttributeValue: "paris")).Items;
        Assert.Equal(shipped.Sequence, Assert.Single(byAttribute).Sequence);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public void Counters_gauges_histograms_and_exponential_histograms_keep_their_points(OtlpExportProtocol protocol)
    {
        var service = $"metrics-{protocol}";
        var meterName = $"test.metrics.{protocol}";
        using var meter = new Meter(meterName);
        var orders = meter.CreateCounter<long>("orders", description: "Orders placed");
        var latency = meter.CreateHistogram<double>("latency", unit: "ms");
        var sizes = meter.CreateHistogram<double>("size", unit: "By");
        var queue = meter.CreateUpDownCounter<int>("queue");
        meter.CreateObservableGauge("temperature", () => 21.5);
        using (var metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(Resource(service))
            .AddMeter(meterName)
            .AddView("size", new Base2ExponentialBucketHistogramConfiguration())
            .AddView("latency", new ExplicitBucketHistogramConfiguration { Boundaries = [10, 100, 1000] })
            .AddOtlpExporter((exporter, reader) =>
            {
                Configure(exporter, protocol, "/v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 3_600_000;
            })
            .Build())
        {
            orders.Add(3, new KeyValuePair<string, object?>("region", "eu"));
            orders.Add(2, new KeyValuePair<string, object?>("region", "us"));
            orders.Add(1, new KeyValuePair<string, object?>("region", "eu"));
            foreach (var value in new double[] { 5, 50, 500, 5000 })
            {
                latency.Record(value);
                sizes.Record(value);
            }

            queue.Add(5);
            queue.Add(-2);
            Assert.True(metrics.ForceFlush(10_000));
        }

        var ordersData = Assert.Single(Dashboard.Telemetry.GetInstrumentData(service, meterName, "orders"));
        Assert.Equal(InstrumentKind.Sum, ordersData.Kind);
        Assert.True(ordersData.IsMonotonic);
        Assert.Equal("Cumulative", ordersData.Temporality);
        Assert.Equal("Orders placed", ordersData.Description);
        Assert.Equal(4, ordersData.Series.Single(s => s.Attributes.Contains(new TelemetryAttribute("region", "eu"))).Points.Last().Value);
        Assert.Equal(2, ordersData.Series.Single(s => s.Attributes.Contains(new TelemetryAttribute("region", "us"))).Points.Last().Value);

        var latencyPoint = Assert.Single(Assert.Single(Assert.Single(Dashboard.Telemetry.GetInstrumentData(service, meterName, "latency")).Series).Points);
        Assert.Equal(4UL, latencyPoint.Count);
        Assert.Equal(5555, latencyPoint.Sum);
        Assert.Equal((5.0, 5000.0), (latencyPoint.Min, latencyPoint.Max));
        Assert.Equal([10.0, 100, 1000], latencyPoint.ExplicitBounds!);
        Assert.Equal([1UL, 1, 1, 1], latencyPoint.BucketCounts!);

        var sizeData = Assert.Single(Dashboard.Telemetry.GetInstrumentData(service, meterName, "size"));
        Assert.Equal(InstrumentKind.ExponentialHistogram, sizeData.Kind);
        Assert.Equal("By", sizeData.Unit);
        var sizePoint = Assert.Single(Assert.Single(sizeData.Series).Points);
        Assert.Equal(4UL, sizePoint.Count);
        Assert.Equal(4L, sizePoint.PositiveCounts!.Sum(c => (long)c));
        // Every recorded value lies in the bucket the scale and offset put it in: (base^i, base^(i+1)].
        var @base = Math.Pow(2, Math.Pow(2, -sizePoint.Scale));
        var occupied = sizePoint.PositiveCounts!.Select((count, i) => (count, index: sizePoint.PositiveOffset + i)).Where(b => b.count > 0).ToList();
        foreach (var value in new double[] { 5, 50, 500, 5000 })
        {
            Assert.Contains(occupied, b => Math.Pow(@base, b.index) < value * 1.0000001 && value <= Math.Pow(@base, b.index + 1) * 1.0000001);
        }

        var queueData = Assert.Single(Dashboard.Telemetry.GetInstrumentData(service, meterName, "queue"));
        Assert.Equal((InstrumentKind.Sum, false), (queueData.Kind, queueData.IsMonotonic));
        Assert.Equal(3, Assert.Single(queueData.Series).Points.Last().Value);

        var temperature = Assert.Single(Dashboard.Telemetry.GetInstrumentData(service, meterName, "temperature"));
        Assert.Equal(InstrumentKind.Gauge, temperature.Kind);
        Assert.Equal(21.5, Assert.Single(temperature.Series).Points.Last().Value);
    }

    private static ResourceBuilder Resource(string service) => ResourceBuilder.CreateEmpty()
        .AddService(service, serviceInstanceId: $"{service}-instance")
        .AddAttributes([new KeyValuePair<string, object>("deployment.environment.name", "test")]);

    private void Configure(OtlpExporterOptions options, OtlpExportProtocol protocol, string httpPath)
    {
        options.Protocol = protocol;
        // Set in code, the HTTP endpoint is the signal's full URL; gRPC takes the server's.
        options.Endpoint = protocol == OtlpExportProtocol.Grpc ? Dashboard.OtlpGrpcUrl : new Uri(Dashboard.OtlpHttpUrl, httpPath);
        options.Headers = $"x-otlp-api-key={Dashboard.OtlpApiKey}";
        options.ExportProcessorType = ExportProcessorType.Simple;
    }
}
