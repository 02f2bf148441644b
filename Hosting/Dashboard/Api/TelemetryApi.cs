using AddressBook.Hosting.Dashboard.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace AddressBook.Hosting.Dashboard.Api;

internal sealed record Page<T>(IReadOnlyList<T> Items, int Matched);

internal sealed record TelemetryResourceView(string Name, string ServiceName, string InstanceId, IReadOnlyList<TelemetryAttribute> Attributes);

/// <summary>Queries over the telemetry the dashboard received: what its pages ask for.</summary>
internal static class TelemetryApi
{
    public const int MaxLimit = 10_000;
    private static readonly string[] Levels = ["Trace", "Debug", "Information", "Warning", "Error", "Critical"];

    public static RouteGroupBuilder MapDashboardTelemetry(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("Telemetry");
        group.MapGet("/telemetry/resources", (TelemetryRepository repository) => TypedResults.Ok(repository.GetResources()
            .Select(r => new TelemetryResourceView(r.DisplayName, r.ServiceName, r.InstanceId, r.Attributes)).ToArray()));
        group.MapGet("/telemetry/stats", (TelemetryRepository repository) => TypedResults.Ok(repository.GetStats()));
        group.MapGet("/logs", GetLogs);
        group.MapGet("/traces", GetTraces);
        group.MapGet("/traces/{traceId}", GetTrace);
        group.MapGet("/metrics/instruments", (TelemetryRepository repository, string? resource) => TypedResults.Ok(repository.GetInstruments(resource)));
        group.MapGet("/metrics/chart", GetChart);
        return group;
    }

    private static Results<Ok<Page<LogView>>, ValidationProblem> GetLogs(
        TelemetryRepository repository, string? resource, string? level, string? text, string? attribute, string? traceId, long? after, int? limit)
    {
        var errors = new Dictionary<string, string[]>();
        var minimum = level is null ? 0 : Array.FindIndex(Levels, l => string.Equals(l, level, StringComparison.OrdinalIgnoreCase));
        if (minimum < 0)
        {
            errors["level"] = [$"One of {string.Join(", ", Levels)}."];
        }

        ValidateLimit(limit, errors);
        if (traceId is not null && !IsTraceId(traceId))
        {
            errors["traceId"] = ["32 hexadecimal digits."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        // Severity ranges of OTLP: 1-4 trace, 5-8 debug, 9-12 information, 13-16 warning, 17-20 error, 21-24 fatal.
        var (key, value) = attribute?.Split('=', 2) is [var k, var v] ? (k, v) : (attribute, null);
        var (items, matched) = repository.GetLogs(new LogQuery(resource, level is null ? 0 : (minimum * 4) + 1, text, key, value, traceId, after ?? 0, limit ?? 500));
        return TypedResults.Ok(new Page<LogView>([.. items.Select(LogView.Of)], matched));
    }

    private static Results<Ok<Page<TraceListItem>>, ValidationProblem> GetTraces(
        TelemetryRepository repository, string? resource, double? minDurationMs, bool? errors, string? text, int? limit)
    {
        var problems = new Dictionary<string, string[]>();
        if (minDurationMs is < 0)
        {
            problems["minDurationMs"] = ["Zero or more."];
        }

        ValidateLimit(limit, problems);
        if (problems.Count > 0)
        {
            return TypedResults.ValidationProblem(problems);
        }

        var (items, matched) = repository.GetTraces(new TraceQuery(resource, minDurationMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, errors ?? false, text, limit ?? 200));
        return TypedResults.Ok(new Page<TraceListItem>([.. items.Select(TraceListItem.Of)], matched));
    }

    private static Results<Ok<TraceView>, NotFound, ValidationProblem> GetTrace(TelemetryRepository repository, string traceId)
    {
        if (!IsTraceId(traceId))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["traceId"] = ["32 hexadecimal digits."] });
        }

        return repository.GetTrace(traceId) is { Count: > 0 } spans ? TypedResults.Ok(TraceView.Of(traceId.ToLowerInvariant(), spans)) : TypedResults.NotFound();
    }

    private static Results<Ok<ChartView>, NotFound, ValidationProblem> GetChart(TelemetryRepository repository, string? resource, string? meter, string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = ["The instrument's name is required."] });
        }

        var instruments = repository.GetInstrumentData(resource, meter, name);
        return instruments.Count == 0 ? TypedResults.NotFound() : TypedResults.Ok(MetricCharts.Of(instruments));
    }

    private static void ValidateLimit(int? limit, Dictionary<string, string[]> errors)
    {
        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"Between 1 and {MaxLimit}."];
        }
    }

    private static bool IsTraceId(string value) => value.Length == 32 && value.All(char.IsAsciiHexDigit);
}
