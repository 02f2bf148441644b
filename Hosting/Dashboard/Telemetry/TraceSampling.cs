using System.Buffers.Binary;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace AddressBook.Hosting.Dashboard.Telemetry;

/// <summary>
/// Which traces the endpoints record, from <c>Dashboard:TraceSampling</c>. Every request's trace starts at the endpoint
/// proxy, and the services keep the decision it passes on in <c>traceparent</c> (OpenTelemetry's default parent-based
/// sampler), so one choice here decides for the whole trace. Like AWS X-Ray's reservoir and rate: the first
/// <see cref="PerSecond"/> traces of each second are all recorded, so a developer trying things sees every request, and
/// past that only <see cref="Ratio"/> of them, so that a load test costs the services little and does not flush the
/// dashboard's 10,000 traces in seconds.
/// </summary>
internal sealed record TraceSamplingOptions
{
    public int PerSecond { get; init; } = 50;

    /// <summary>The share of traces recorded once the second's reservoir is used up, from 0 to 1.</summary>
    public double Ratio { get; init; } = 0.05;

    public static TraceSamplingOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection("Dashboard:TraceSampling").Get<TraceSamplingOptions>() ?? new TraceSamplingOptions();
        if (options.PerSecond < 0 || options.Ratio is < 0 or > 1 || double.IsNaN(options.Ratio))
        {
            throw new DistributedApplicationException(
                $"Dashboard:TraceSampling needs a PerSecond of 0 or more and a Ratio from 0 to 1, not {options.PerSecond} and {options.Ratio}.");
        }

        return options;
    }
}

/// <summary>Decides, for a trace that starts here, whether it is recorded. Thread-safe.</summary>
internal sealed class TraceSampler(TraceSamplingOptions options, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly ulong _ratioBound = options.Ratio >= 1 ? ulong.MaxValue : (ulong)(options.Ratio * ulong.MaxValue);
    private long _second = long.MinValue;
    private int _takenThisSecond;

    /// <summary>Keeps a decision the client already made (a valid <paramref name="parent"/>); samples a trace that starts here.</summary>
    public bool ShouldRecord(ActivityContext parent, ActivityTraceId traceId) =>
        parent.TraceId != default ? parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded) : ShouldRecordRoot(traceId);

    public bool ShouldRecordRoot(ActivityTraceId traceId)
    {
        if (options.PerSecond > 0 && TakeFromReservoir())
        {
            return true;
        }

        // Decided by the trace id, as OpenTelemetry's ratio sampler does, so the same trace is chosen wherever it is asked.
        Span<byte> id = stackalloc byte[16];
        traceId.CopyTo(id);
        return BinaryPrimitives.ReadUInt64BigEndian(id[8..]) < _ratioBound || _ratioBound == ulong.MaxValue;
    }

    private bool TakeFromReservoir()
    {
        var second = time.GetTimestamp() / time.TimestampFrequency;
        if (second != Volatile.Read(ref _second))
        {
            lock (_gate)
            {
                if (second != _second)
                {
                    _takenThisSecond = 0;
                    Volatile.Write(ref _second, second);
                }
            }
        }

        return Interlocked.Increment(ref _takenThisSecond) <= options.PerSecond;
    }
}
