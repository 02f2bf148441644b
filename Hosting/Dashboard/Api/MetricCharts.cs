using AddressBook.Hosting.Dashboard.Telemetry;

namespace AddressBook.Hosting.Dashboard.Api;

/// <summary>
/// One point of a chart: the time in Unix milliseconds and what the instrument's kind calls for. Counters give a rate
/// per second, gauges a value, histograms the percentiles of what was recorded since the previous point.
/// </summary>
internal sealed record ChartPoint(double T, double? Value = null, double? Rate = null, double? Count = null, double? P50 = null, double? P90 = null, double? P99 = null);

internal sealed record ChartSeries(string Resource, IReadOnlyList<TelemetryAttribute> Attributes, IReadOnlyList<ChartPoint> Points);

internal sealed record ChartView(string Name, string Meter, string Description, string Unit, string Kind, string Temporality, bool IsMonotonic,
    string Plot, IReadOnlyList<ChartSeries> Series);

internal static class MetricCharts
{
    public static ChartView Of(IReadOnlyList<InstrumentData> instruments)
    {
        var first = instruments[0];
        var plot = first.Kind switch
        {
            InstrumentKind.Sum when first.IsMonotonic => "rate",
            InstrumentKind.Histogram or InstrumentKind.ExponentialHistogram or InstrumentKind.Summary => "percentiles",
            _ => "value",
        };
        var series = instruments.SelectMany(i => i.Series.Select(s => new ChartSeries(i.Resource, s.Attributes, Points(i, s.Points)))).ToList();
        return new ChartView(first.Name, first.Meter, first.Description, first.Unit, first.Kind.ToString(), first.Temporality, first.IsMonotonic, plot, series);
    }

    private static List<ChartPoint> Points(InstrumentData instrument, IReadOnlyList<MetricPoint> points)
    {
        var chart = new List<ChartPoint>(points.Count);
        MetricPoint? previous = null;
        foreach (var point in points.Where(p => !p.NoRecordedValue))
        {
            var t = point.TimeUnixNano / 1_000_000.0;
            switch (instrument.Kind)
            {
                case InstrumentKind.Sum when instrument.IsMonotonic:
                    chart.Add(new ChartPoint(t, Value: point.Value, Rate: Rate(instrument.Temporality, point, previous)));
                    break;
                case InstrumentKind.Gauge or InstrumentKind.Sum:
                    chart.Add(new ChartPoint(t, Value: point.Value));
                    break;
                case InstrumentKind.Summary:
                    chart.Add(new ChartPoint(t, Count: point.Count, P50: Quantile(point, 0.5), P90: Quantile(point, 0.9), P99: Quantile(point, 0.99)));
                    break;
                default:
                    var buckets = Buckets(point, instrument.Temporality == "Cumulative" ? previous : null);
                    var total = buckets.Sum(b => b.Count);
                    chart.Add(total == 0
                        ? new ChartPoint(t, Count: 0)
                        : new ChartPoint(t, Count: total, P50: Percentile(buckets, total, 0.5), P90: Percentile(buckets, total, 0.9), P99: Percentile(buckets, total, 0.99)));
                    break;
            }

            previous = point;
        }

        return chart;
    }

    private static double? Rate(string temporality, MetricPoint point, MetricPoint? previous)
    {
        if (temporality == "Delta")
        {
            var seconds = (point.TimeUnixNano - point.StartUnixNano) / 1e9;
            return seconds > 0 ? point.Value / seconds : null;
        }

        if (previous is null || previous.StartUnixNano != point.StartUnixNano)
        {
            return null;
        }

        var elapsed = (point.TimeUnixNano - previous.TimeUnixNano) / 1e9;
        return elapsed > 0 ? Math.Max(0, (point.Value - previous.Value) ?? 0) / elapsed : null;
    }

    private static double? Quantile(MetricPoint point, double quantile) =>
        point.Quantiles?.Where(q => q.Length == 2).OrderBy(q => Math.Abs(q[0] - quantile)).Select(q => (double?)q[1]).FirstOrDefault();

    /// <summary>Buckets as (lower, upper, count), in value order; counted since <paramref name="since"/> when given.</summary>
    private static List<(double Lower, double Upper, double Count)> Buckets(MetricPoint point, MetricPoint? since)
    {
        var buckets = new List<(double, double, double)>();
        var continues = since is not null && since.StartUnixNano == point.StartUnixNano;
        if (point.BucketCounts is { } counts && point.ExplicitBounds is { } bounds)
        {
            var before = continues && since!.BucketCounts?.Length == counts.Length ? since.BucketCounts : null;
            for (var i = 0; i < counts.Length; i++)
            {
                var lower = i == 0 ? Math.Min(point.Min ?? 0, bounds.Length > 0 ? bounds[0] : 0) : bounds[i - 1];
                var upper = i < bounds.Length ? bounds[i] : Math.Max(point.Max ?? lower, lower);
                buckets.Add((lower, upper, counts[i] - (before?[i] ?? 0)));
            }

            return buckets;
        }

        // Exponential: bucket i covers (base^i, base^(i+1)] with base 2^(2^-scale), negatives mirrored, zeros in between.
        var sameShape = continues && since!.Scale == point.Scale && since.PositiveOffset == point.PositiveOffset && since.NegativeOffset == point.NegativeOffset
            && since.PositiveCounts?.Length == point.PositiveCounts?.Length && since.NegativeCounts?.Length == point.NegativeCounts?.Length;
        var @base = Math.Pow(2, Math.Pow(2, -point.Scale));
        var negative = point.NegativeCounts ?? [];
        for (var i = negative.Length - 1; i >= 0; i--)
        {
            var index = point.NegativeOffset + i;
            buckets.Add((-Math.Pow(@base, index + 1), -Math.Pow(@base, index), negative[i] - (sameShape ? since!.NegativeCounts![i] : 0)));
        }

        buckets.Add((-point.ZeroThreshold, point.ZeroThreshold, point.ZeroCount - (sameShape ? since!.ZeroCount : 0)));
        var positive = point.PositiveCounts ?? [];
        for (var i = 0; i < positive.Length; i++)
        {
            var index = point.PositiveOffset + i;
            buckets.Add((Math.Pow(@base, index), Math.Pow(@base, index + 1), positive[i] - (sameShape ? since!.PositiveCounts![i] : 0)));
        }

        return buckets;
    }

    /// <summary>The value below which the fraction <paramref name="quantile"/> of the recordings fall, interpolated within its bucket.</summary>
    private static double Percentile(List<(double Lower, double Upper, double Count)> buckets, double total, double quantile)
    {
        var rank = quantile * total;
        var seen = 0.0;
        foreach (var (lower, upper, count) in buckets)
        {
            if (count > 0 && seen + count >= rank)
            {
                return lower + ((upper - lower) * (rank - seen) / count);
            }

            seen += count;
        }

        return buckets.Last(b => b.Count > 0).Upper;
    }
}
