#:package OpenTelemetry.Exporter.OpenTelemetryProtocol@1.20.1
#:property PublishAot=false
#:property ManagePackageVersionsCentrally=false
// Sends spans or log records to an OTLP endpoint as fast as the OpenTelemetry SDK's own exporter will take them,
// from several providers at once, for bench/dashboard.sh. Prints how many it produced.
//   dotnet run bench/otlp-load.cs -- spans|logs <grpc endpoint> <api key> <seconds> <producers>
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

var (signal, endpoint, apiKey) = (args[0], new Uri(args[1]), args[2]);
var duration = TimeSpan.FromSeconds(int.Parse(args[3]));
var producers = int.Parse(args[4]);
long produced = 0;

void Exporter(OtlpExporterOptions o)
{
    o.Endpoint = endpoint;
    o.Protocol = OtlpExportProtocol.Grpc;
    o.Headers = $"x-otlp-api-key={apiKey}";
}

var threads = Enumerable.Range(0, producers).Select(n => new Thread(() =>
{
    var resource = ResourceBuilder.CreateEmpty().AddService("otlp-load", serviceInstanceId: $"otlp-load-{n}");
    var stopwatch = Stopwatch.StartNew();
    if (signal == "spans")
    {
        using var source = new ActivitySource($"otlp-load-{n}");
        using var provider = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(source.Name)
            .AddOtlpExporter(o =>
            {
                Exporter(o);
                o.BatchExportProcessorOptions = new() { MaxQueueSize = 100_000, MaxExportBatchSize = 2048, ScheduledDelayMilliseconds = 100 };
            })
            .Build();
        while (stopwatch.Elapsed < duration)
        {
            for (var i = 0; i < 1000; i++)
            {
                using var activity = source.StartActivity("GET /api/contacts", ActivityKind.Server);
                activity?.SetTag("http.request.method", "GET").SetTag("http.response.status_code", 200).SetTag("url.path", "/api/contacts");
            }

            Interlocked.Add(ref produced, 1000);
            // A steady producer, not a burst the exporter's queue can only drop: yield when the queue is likely full.
            Thread.Sleep(1);
        }

        provider.ForceFlush(30_000);
    }
    else
    {
        using var factory = LoggerFactory.Create(logging => logging.AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(resource);
            o.AddOtlpExporter((exporter, processor) =>
            {
                Exporter(exporter);
                processor.BatchExportProcessorOptions = new() { MaxQueueSize = 100_000, MaxExportBatchSize = 2048, ScheduledDelayMilliseconds = 100 };
            });
        }));
        var logger = factory.CreateLogger("OtlpLoad");
        while (stopwatch.Elapsed < duration)
        {
            for (var i = 0; i < 1000; i++)
            {
                logger.LogInformation("Served {Path} in {Elapsed} ms for {User}", "/api/contacts", i % 97, "bench");
            }

            Interlocked.Add(ref produced, 1000);
            Thread.Sleep(1);
        }
    }
})).ToList();
threads.ForEach(t => t.Start());
threads.ForEach(t => t.Join());
Console.WriteLine($"produced {produced}");
