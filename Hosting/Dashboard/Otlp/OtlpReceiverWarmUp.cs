using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace AddressBook.Hosting.Dashboard.Otlp;

/// <summary>
/// Sends the dashboard's gRPC receivers one empty export each as soon as they listen. The first export a cold receiver
/// handles takes about a third of a second (HTTP/2, routing and the handlers compiled on demand), and the first exporter
/// to arrive is usually the migration worker at its exit, holding up every project that waits for it to complete. Empty
/// exports hold no resource, so they store nothing.
/// </summary>
internal static class OtlpReceiverWarmUp
{
    private static readonly string[] ExportPaths =
    [
        "/opentelemetry.proto.collector.logs.v1.LogsService/Export",
        "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
        "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
    ];

    // A gRPC message frame: not compressed, zero bytes long; an empty protobuf message is no bytes at all.
    private static readonly byte[] EmptyMessage = [0, 0, 0, 0, 0];

    public static async Task RunAsync(Uri grpcUrl, string? apiKey, ILogger logger)
    {
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            foreach (var path in ExportPaths)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(grpcUrl, path))
                {
                    Version = HttpVersion.Version20,
                    VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                    Content = new ByteArrayContent(EmptyMessage) { Headers = { ContentType = new MediaTypeHeaderValue("application/grpc") } },
                };
                request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
                if (apiKey is not null)
                {
                    request.Headers.Add(OtlpApiKeys.HeaderName, apiKey);
                }

                using var response = await client.SendAsync(request).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            // Only a head start lost: the first real export pays as it would have.
            logger.LogDebug(ex, "Warming up the OTLP receivers failed.");
        }
    }
}
