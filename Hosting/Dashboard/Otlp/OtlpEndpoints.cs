using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using AddressBook.Hosting.Dashboard.Otlp.Collector.Logs;
using AddressBook.Hosting.Dashboard.Otlp.Collector.Metrics;
using AddressBook.Hosting.Dashboard.Otlp.Collector.Trace;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using RpcStatus = AddressBook.Hosting.Dashboard.Otlp.Rpc.Status;

namespace AddressBook.Hosting.Dashboard.Otlp;

/// <summary>The API keys an OTLP client must present in <c>x-otlp-api-key</c>; none when anonymous access is allowed.</summary>
internal sealed class OtlpApiKeys(string? primary, string? secondary)
{
    public const string HeaderName = "x-otlp-api-key";

    public bool IsRequired => primary is not null;

    public bool Accepts(HttpContext context)
    {
        if (primary is null)
        {
            return true;
        }

        var presented = Encoding.UTF8.GetBytes(context.Request.Headers[HeaderName].ToString());
        return Matches(presented, primary) || (secondary is not null && Matches(presented, secondary));
    }

    private static bool Matches(byte[] presented, string key) => CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(key));
}

/// <summary>
/// OTLP's three export services, over gRPC (unary calls framed by hand: five-byte prefix, status in trailers) and over
/// HTTP/protobuf (<c>POST /v1/traces</c>, <c>/v1/logs</c>, <c>/v1/metrics</c>). A payload that is not a valid message is
/// answered as the protocol says: gRPC status INVALID_ARGUMENT, or HTTP 400 with a <c>google.rpc.Status</c> body.
/// </summary>
internal static class OtlpEndpoints
{
    /// <summary>The largest export accepted, decompressed; OTLP exporters send batches far smaller than this.</summary>
    public const int MaxMessageBytes = 32 * 1024 * 1024;

    private const string ProtobufContentType = "application/x-protobuf";

    // gRPC status codes (grpc/doc/statuscodes.md).
    private const int GrpcOk = 0;
    private const int GrpcInvalidArgument = 3;
    private const int GrpcResourceExhausted = 8;
    private const int GrpcUnimplemented = 12;
    private const int GrpcInternal = 13;
    private const int GrpcUnauthenticated = 16;

    public static void MapOtlpGrpc(this IEndpointRouteBuilder routes, OtlpDecoder decoder, OtlpApiKeys keys, DashboardListener listener)
    {
        foreach (var export in Exports(decoder))
        {
            routes.MapPost(export.GrpcPath, context => GrpcExportAsync(context, keys, export)).WithMetadata(listener);
        }
    }

    public static void MapOtlpHttp(this IEndpointRouteBuilder routes, OtlpDecoder decoder, OtlpApiKeys keys, DashboardListener listener)
    {
        foreach (var export in Exports(decoder))
        {
            routes.MapPost(export.HttpPath, context => HttpExportAsync(context, keys, export)).WithMetadata(listener);
        }
    }

    /// <summary>One export service: where it is served, and what parses and stores a request (throwing on a malformed one).</summary>
    private sealed record ExportService(string GrpcPath, string HttpPath, string RequestName, Func<ReadOnlyMemory<byte>, IMessage> Ingest);

    private static ExportService[] Exports(OtlpDecoder decoder) =>
    [
        new("/opentelemetry.proto.collector.trace.v1.TraceService/Export", "/v1/traces", nameof(ExportTraceServiceRequest), payload =>
        {
            var result = decoder.Ingest(ExportTraceServiceRequest.Parser.ParseFrom(payload.Span));
            return new ExportTraceServiceResponse { PartialSuccess = result.Rejected > 0 ? new() { RejectedSpans = result.Rejected, ErrorMessage = result.ErrorMessage } : null };
        }),
        new("/opentelemetry.proto.collector.logs.v1.LogsService/Export", "/v1/logs", nameof(ExportLogsServiceRequest), payload =>
        {
            var result = decoder.Ingest(ExportLogsServiceRequest.Parser.ParseFrom(payload.Span));
            return new ExportLogsServiceResponse { PartialSuccess = result.Rejected > 0 ? new() { RejectedLogRecords = result.Rejected, ErrorMessage = result.ErrorMessage } : null };
        }),
        new("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", "/v1/metrics", nameof(ExportMetricsServiceRequest), payload =>
        {
            var result = decoder.Ingest(ExportMetricsServiceRequest.Parser.ParseFrom(payload.Span));
            return new ExportMetricsServiceResponse { PartialSuccess = result.Rejected > 0 ? new() { RejectedDataPoints = result.Rejected, ErrorMessage = result.ErrorMessage } : null };
        }),
    ];

    private static async Task GrpcExportAsync(HttpContext context, OtlpApiKeys keys, ExportService export)
    {
        context.Response.ContentType = "application/grpc";
        if (!context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) ?? true)
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        if (!keys.Accepts(context))
        {
            GrpcFailure(context, GrpcUnauthenticated, $"A valid '{OtlpApiKeys.HeaderName}' header is required.");
            return;
        }

        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            GrpcFailure(context, GrpcResourceExhausted, $"The message is larger than {MaxMessageBytes} bytes.");
            return;
        }

        // One length-prefixed message: a compressed flag, a big-endian length, the bytes.
        if (body.Length < 5 || BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1)) != body.Length - 5)
        {
            GrpcFailure(context, GrpcInternal, "The request is not one length-prefixed gRPC message.");
            return;
        }

        var payload = body.AsMemory(5);
        if (body[0] == 1)
        {
            var encoding = context.Request.Headers["grpc-encoding"].ToString();
            if (!string.Equals(encoding, "gzip", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers["grpc-accept-encoding"] = "identity,gzip";
                GrpcFailure(context, GrpcUnimplemented, $"Message encoding '{encoding}' is not supported; use gzip or none.");
                return;
            }

            if (Gunzip(payload) is not { } inflated)
            {
                GrpcFailure(context, GrpcInvalidArgument, "The gzip-compressed message could not be decompressed.");
                return;
            }

            payload = inflated;
        }

        byte[] response;
        try
        {
            response = export.Ingest(payload).ToByteArray();
        }
        catch (InvalidProtocolBufferException ex)
        {
            GrpcFailure(context, GrpcInvalidArgument, $"The message is not a valid {export.RequestName}: {ex.Message}");
            return;
        }

        var frame = new byte[5 + response.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)response.Length);
        response.CopyTo(frame, 5);
        await context.Response.Body.WriteAsync(frame, context.RequestAborted).ConfigureAwait(false);
        context.Response.AppendTrailer("grpc-status", GrpcOk.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    // A "trailers-only" answer: the status goes in the headers and there is no message.
    private static void GrpcFailure(HttpContext context, int status, string message)
    {
        context.Response.Headers["grpc-status"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] = Uri.EscapeDataString(message);
    }

    private static async Task HttpExportAsync(HttpContext context, OtlpApiKeys keys, ExportService export)
    {
        if (!keys.Accepts(context))
        {
            await HttpFailureAsync(context, StatusCodes.Status401Unauthorized, 16, $"A valid '{OtlpApiKeys.HeaderName}' header is required.").ConfigureAwait(false);
            return;
        }

        if (!string.Equals(context.Request.ContentType?.Split(';')[0].Trim(), ProtobufContentType, StringComparison.OrdinalIgnoreCase))
        {
            await HttpFailureAsync(context, StatusCodes.Status415UnsupportedMediaType, GrpcUnimplemented,
                $"Only binary protobuf ('{ProtobufContentType}') is accepted.").ConfigureAwait(false);
            return;
        }

        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            await HttpFailureAsync(context, StatusCodes.Status413PayloadTooLarge, GrpcResourceExhausted, $"The body is larger than {MaxMessageBytes} bytes.").ConfigureAwait(false);
            return;
        }

        ReadOnlyMemory<byte> payload = body;
        var contentEncoding = context.Request.Headers.ContentEncoding.ToString();
        if (string.Equals(contentEncoding, "gzip", StringComparison.OrdinalIgnoreCase))
        {
            if (Gunzip(payload) is not { } inflated)
            {
                await HttpFailureAsync(context, StatusCodes.Status400BadRequest, GrpcInvalidArgument, "The gzip-compressed body could not be decompressed.").ConfigureAwait(false);
                return;
            }

            payload = inflated;
        }
        else if (contentEncoding.Length > 0 && !string.Equals(contentEncoding, "identity", StringComparison.OrdinalIgnoreCase))
        {
            await HttpFailureAsync(context, StatusCodes.Status415UnsupportedMediaType, GrpcUnimplemented, $"Content-Encoding '{contentEncoding}' is not supported; use gzip or none.").ConfigureAwait(false);
            return;
        }

        byte[] response;
        try
        {
            response = export.Ingest(payload).ToByteArray();
        }
        catch (InvalidProtocolBufferException ex)
        {
            await HttpFailureAsync(context, StatusCodes.Status400BadRequest, GrpcInvalidArgument, $"The body is not a valid {export.RequestName}: {ex.Message}").ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = ProtobufContentType;
        await context.Response.Body.WriteAsync(response, context.RequestAborted).ConfigureAwait(false);
    }

    private static Task HttpFailureAsync(HttpContext context, int httpStatus, int rpcCode, string message)
    {
        context.Response.StatusCode = httpStatus;
        context.Response.ContentType = ProtobufContentType;
        return context.Response.Body.WriteAsync(new RpcStatus { Code = rpcCode, Message = message }.ToByteArray(), context.RequestAborted).AsTask();
    }

    /// <summary>The whole body, or null when it is over the limit.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxMessageBytes)
        {
            return null;
        }

        context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize = null;
        using var buffer = new MemoryStream(context.Request.ContentLength is { } length ? (int)length : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxMessageBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static byte[]? Gunzip(ReadOnlyMemory<byte> compressed)
    {
        try
        {
            using var input = new MemoryStream(compressed.ToArray());
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = gzip.Read(chunk)) > 0)
            {
                if (output.Length + read > MaxMessageBytes)
                {
                    return null;
                }

                output.Write(chunk, 0, read);
            }

            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}
