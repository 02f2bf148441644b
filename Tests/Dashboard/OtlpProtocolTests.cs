using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using AddressBook.Hosting.Dashboard;
using AddressBook.Hosting.Dashboard.Otlp.Collector.Logs;
using AddressBook.Hosting.Dashboard.Otlp.Collector.Metrics;
using AddressBook.Hosting.Dashboard.Otlp.Collector.Trace;
using AddressBook.Hosting.Dashboard.Otlp.Common;
using AddressBook.Hosting.Dashboard.Otlp.Logs;
using AddressBook.Hosting.Dashboard.Otlp.Metrics;
using AddressBook.Hosting.Dashboard.Otlp.Trace;
using AddressBook.Hosting.Dashboard.Telemetry;
using AddressBook.Tests.Infrastructure;
using Google.Protobuf;
using OtlpSpan = AddressBook.Hosting.Dashboard.Otlp.Trace.Span;
using OtlpResource = AddressBook.Hosting.Dashboard.Otlp.Resource.Resource;
using RpcStatus = AddressBook.Hosting.Dashboard.Otlp.Rpc.Status;

namespace AddressBook.Tests.Dashboard;

/// <summary>
/// What any OTLP client, not only .NET's, may send: every value type, summaries, bad payloads, wrong keys. Requests
/// are built from the protocol's messages and sent as raw HTTP/protobuf and gRPC frames.
/// </summary>
public sealed class OtlpProtocolTests(OtlpReceiverTests.ReceiverFixture receiver) : IClassFixture<OtlpReceiverTests.ReceiverFixture>, IDisposable
{
    private readonly HttpClient _http = new();

    private DashboardServer Dashboard => receiver.Dashboard;

    [Fact]
    public async Task A_log_body_and_attributes_of_every_value_type_are_rendered()
    {
        var body = new AnyValue
        {
            KvlistValue = new KeyValueList
            {
                Values =
                {
                    new KeyValue { Key = "user", Value = new AnyValue { StringValue = "ada" } },
                    new KeyValue { Key = "tries", Value = new AnyValue { IntValue = 3 } },
                    new KeyValue { Key = "tags", Value = new AnyValue { ArrayValue = new ArrayValue { Values = { new AnyValue { BoolValue = false }, new AnyValue { DoubleValue = 1.25 } } } } },
                },
            },
        };
        var request = new ExportLogsServiceRequest
        {
            ResourceLogs =
            {
                new ResourceLogs
                {
                    Resource = Resource("any-values"),
                    ScopeLogs =
                    {
                        new ScopeLogs
                        {
                            Scope = new InstrumentationScope { Name = "python.logger", Version = "3.12" },
                            LogRecords =
                            {
                                new LogRecord
                                {
                                    TimeUnixNano = 1_700_000_000_000_000_000, SeverityNumber = SeverityNumber.Fatal, SeverityText = "CRITICAL", Body = body,
                                    EventName = "login.failed",
                                    Attributes = { new KeyValue { Key = "raw", Value = new AnyValue { BytesValue = ByteString.CopyFrom(1, 2, 255) } } },
                                    TraceId = ByteString.CopyFrom(new byte[16] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }),
                                    SpanId = ByteString.CopyFrom(new byte[3]),
                                },
                            },
                        },
                    },
                },
            },
        };

        using var response = await PostAsync("/v1/logs", request.ToByteArray());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(ExportLogsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync()).PartialSuccess);
        var log = Assert.Single(Dashboard.Telemetry.GetLogs(new LogQuery(Resource: "any-values")).Items);
        Assert.Equal("""{"user":"ada","tries":3,"tags":[false,1.25]}""", log.Body);
        Assert.Equal(("Critical", 21, "CRITICAL"), (log.Level, log.SeverityNumber, log.SeverityText));
        Assert.Equal("login.failed", log.EventName);
        Assert.Equal("AQL/", log.Attribute("raw"));
        Assert.Equal("0102030405060708090a0b0c0d0e0f10", log.TraceId);
        Assert.Null(log.SpanId);
        Assert.Equal(("python.logger", "3.12"), (log.Scope.Name, log.Scope.Version));
    }

    [Fact]
    public async Task Summary_points_and_gzip_bodies_are_accepted()
    {
        var request = new ExportMetricsServiceRequest
        {
            ResourceMetrics =
            {
                new ResourceMetrics
                {
                    Resource = Resource("summaries"),
                    ScopeMetrics =
                    {
                        new ScopeMetrics
                        {
                            Scope = new InstrumentationScope { Name = "prometheus" },
                            Metrics =
                            {
                                new Metric
                                {
                                    Name = "rpc_latency", Unit = "s",
                                    Summary = new Summary
                                    {
                                        DataPoints =
                                        {
                                            new SummaryDataPoint
                                            {
                                                TimeUnixNano = 1_700_000_000_000_000_000, Count = 10, Sum = 2.5,
                                                QuantileValues = { new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.5, Value = 0.2 }, new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.99, Value = 0.9 } },
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        };
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            request.WriteTo(gzip);
        }

        using var response = await PostAsync("/v1/metrics", compressed.ToArray(), contentEncoding: "gzip");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = Assert.Single(Dashboard.Telemetry.GetInstrumentData("summaries", "prometheus", "rpc_latency"));
        Assert.Equal(InstrumentKind.Summary, summary.Kind);
        var point = Assert.Single(Assert.Single(summary.Series).Points);
        Assert.Equal((10UL, 2.5), (point.Count, point.Sum));
        Assert.Equal([[0.5, 0.2], [0.99, 0.9]], point.Quantiles!);
    }

    [Fact]
    public async Task Spans_with_malformed_ids_are_rejected_one_by_one_as_a_partial_success()
    {
        var good = Span("kept", traceIdLength: 16);
        var bad = Span("rejected", traceIdLength: 5);
        var request = new ExportTraceServiceRequest
        {
            ResourceSpans = { new ResourceSpans { Resource = Resource("partial"), ScopeSpans = { new ScopeSpans { Spans = { good, bad } } } } },
        };

        using var response = await PostAsync("/v1/traces", request.ToByteArray());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, answer.PartialSuccess.RejectedSpans);
        Assert.Contains("5 bytes", answer.PartialSuccess.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal("kept", Assert.Single(Dashboard.Telemetry.GetTraces(new TraceQuery(Resource: "partial")).Items).Name);
    }

    [Fact]
    public async Task A_body_that_is_not_protobuf_gets_400_with_a_google_rpc_status_and_the_receiver_keeps_working()
    {
        var before = Dashboard.Telemetry.GetStats();

        using var response = await PostAsync("/v1/traces", [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        var status = RpcStatus.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(3, status.Code);
        Assert.Contains(nameof(ExportTraceServiceRequest), status.Message, StringComparison.Ordinal);
        Assert.Equal(before.Spans, Dashboard.Telemetry.GetStats().Spans);

        using var next = await PostAsync("/v1/traces", new ExportTraceServiceRequest
        {
            ResourceSpans = { new ResourceSpans { Resource = Resource("after-garbage"), ScopeSpans = { new ScopeSpans { Spans = { Span("fine", 16) } } } } },
        }.ToByteArray());
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal("fine", Assert.Single(Dashboard.Telemetry.GetTraces(new TraceQuery(Resource: "after-garbage")).Items).Name);
    }

    [Fact]
    public async Task OTLP_over_HTTP_refuses_a_missing_key_and_json()
    {
        using var noKey = await PostAsync("/v1/logs", new ExportLogsServiceRequest().ToByteArray(), apiKey: null);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal(16, RpcStatus.Parser.ParseFrom(await noKey.Content.ReadAsByteArrayAsync()).Code);

        using var wrongKey = await PostAsync("/v1/logs", new ExportLogsServiceRequest().ToByteArray(), apiKey: "not-the-key");
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);

        using var json = new HttpRequestMessage(HttpMethod.Post, new Uri(Dashboard.OtlpHttpUrl, "/v1/logs")) { Content = new StringContent("{}", MediaTypeHeaderValue.Parse("application/json")) };
        json.Headers.Add("x-otlp-api-key", Dashboard.OtlpApiKey);
        using var jsonResponse = await _http.SendAsync(json);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, jsonResponse.StatusCode);
    }

    [Fact]
    public async Task OTLP_over_gRPC_answers_invalid_argument_unauthenticated_and_ok_in_its_own_status()
    {
        var garbage = await GrpcExportAsync([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01], Dashboard.OtlpApiKey);
        Assert.Equal(HttpStatusCode.OK, garbage.Status);
        Assert.Equal("3", garbage.GrpcStatus);
        Assert.Contains(nameof(ExportTraceServiceRequest), Uri.UnescapeDataString(garbage.GrpcMessage!), StringComparison.Ordinal);

        var unauthenticated = await GrpcExportAsync(new ExportTraceServiceRequest().ToByteArray(), apiKey: "wrong");
        Assert.Equal("16", unauthenticated.GrpcStatus);

        var ok = await GrpcExportAsync(new ExportTraceServiceRequest
        {
            ResourceSpans = { new ResourceSpans { Resource = Resource("grpc-raw"), ScopeSpans = { new ScopeSpans { Spans = { Span("raw", 16) } } } } },
        }.ToByteArray(), Dashboard.OtlpApiKey);
        Assert.Equal("0", ok.GrpcStatus);
        Assert.NotNull(ok.Message);
        Assert.Null(ExportTraceServiceResponse.Parser.ParseFrom(ok.Message).PartialSuccess);
        Assert.Single(Dashboard.Telemetry.GetTraces(new TraceQuery(Resource: "grpc-raw")).Items);
    }

    [Fact]
    public async Task OTLP_ports_do_not_serve_the_pages_and_the_pages_port_does_not_take_OTLP()
    {
        using var pageOnOtlpPort = await _http.GetAsync(new Uri(Dashboard.OtlpHttpUrl, "/api/resources"));
        Assert.Equal(HttpStatusCode.NotFound, pageOnOtlpPort.StatusCode);

        var spans = new ExportTraceServiceRequest
        {
            ResourceSpans = { new ResourceSpans { Resource = Resource("wrong-port"), ScopeSpans = { new ScopeSpans { Spans = { Span("misdirected", 16) } } } } },
        };
        using var export = new HttpRequestMessage(HttpMethod.Post, new Uri(Dashboard.FrontendUrl, "/v1/traces")) { Content = new ByteArrayContent(spans.ToByteArray()) };
        export.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        export.Headers.Add("x-otlp-api-key", Dashboard.OtlpApiKey);
        using var response = await _http.SendAsync(export);
        // Not 401: the route belongs to another listener, which is decided before the pages ask for a login.
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(Dashboard.Telemetry.GetTraces(new TraceQuery(Resource: "wrong-port")).Items);
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> PostAsync(string path, byte[] body, string? contentEncoding = null, string? apiKey = "")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Dashboard.OtlpHttpUrl, path)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        if (contentEncoding is not null)
        {
            request.Content.Headers.ContentEncoding.Add(contentEncoding);
        }

        if (apiKey is not null)
        {
            request.Headers.Add("x-otlp-api-key", apiKey.Length == 0 ? Dashboard.OtlpApiKey : apiKey);
        }

        return await _http.SendAsync(request);
    }

    private async Task<(HttpStatusCode Status, string? GrpcStatus, string? GrpcMessage, byte[]? Message)> GrpcExportAsync(byte[] message, string? apiKey)
    {
        var frame = new byte[5 + message.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Dashboard.OtlpGrpcUrl, "/opentelemetry.proto.collector.trace.v1.TraceService/Export"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.ParseAdd("trailers");
        request.Headers.Add("x-otlp-api-key", apiKey);
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        string? Header(string name) =>
            response.TrailingHeaders.TryGetValues(name, out var trailer) ? trailer.Single()
            : response.Headers.TryGetValues(name, out var header) ? header.Single() : null;
        return (response.StatusCode, Header("grpc-status"), Header("grpc-message"), body.Length >= 5 ? body[5..] : null);
    }

    private static OtlpResource Resource(string service) => new()
    {
        Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = service } } },
    };

    /// <summary>A span with ids of its own: the tests share one receiver, so equal ids would merge their traces.</summary>
    private static OtlpSpan Span(string name, int traceIdLength) => new()
    {
        Name = name,
        Kind = OtlpSpan.Types.SpanKind.Internal,
        TraceId = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(traceIdLength)),
        SpanId = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(8)),
        StartTimeUnixNano = 1_700_000_000_000_000_000,
        EndTimeUnixNano = 1_700_000_000_001_000_000,
    };
}
