using Microsoft.Extensions.Configuration;

namespace AddressBook.Hosting.Dashboard.Telemetry;

/// <summary>
/// How much telemetry the dashboard keeps, from <c>Dashboard:TelemetryLimits</c> as in Aspire's dashboard; past a
/// limit the oldest items go first and are counted as dropped.
/// </summary>
internal sealed record TelemetryLimits
{
    public int MaxLogCount { get; init; } = 10_000;

    public int MaxTraceCount { get; init; } = 10_000;

    /// <summary>Metric data points kept across every instrument.</summary>
    public int MaxMetricsCount { get; init; } = 50_000;

    public int MaxAttributeCount { get; init; } = 128;

    /// <summary>Longer attribute values are cut; no limit by default.</summary>
    public int? MaxAttributeLength { get; init; }

    /// <summary>Events kept per span; no limit by default.</summary>
    public int? MaxSpanEventCount { get; init; }

    /// <summary>Spans kept per trace, so that one runaway trace cannot take all the memory.</summary>
    public int MaxSpansPerTrace { get; init; } = 10_000;

    public static TelemetryLimits From(IConfiguration configuration) =>
        configuration.GetSection("Dashboard:TelemetryLimits").Get<TelemetryLimits>() ?? new TelemetryLimits();
}
