using AddressBook.Hosting.Dashboard.Api;
using AddressBook.Hosting.Dashboard.Telemetry;

namespace AddressBook.Tests.Dashboard;

/// <summary>What the metrics page draws from stored points: rates from counters, percentiles from histograms.</summary>
public sealed class MetricChartsTests
{
    private const long Second = 1_000_000_000;

    [Fact]
    public void A_cumulative_counter_is_charted_as_its_rate_between_points_and_a_reset_starts_over()
    {
        var chart = MetricCharts.Of([Instrument(InstrumentKind.Sum, "Cumulative",
            new MetricPoint { StartUnixNano = 0, TimeUnixNano = 10 * Second, Value = 100 },
            new MetricPoint { StartUnixNano = 0, TimeUnixNano = 20 * Second, Value = 150 },
            new MetricPoint { StartUnixNano = 0, TimeUnixNano = 30 * Second, Value = 150 },
            // The process restarted: a new start time, and a smaller total that is no negative rate.
            new MetricPoint { StartUnixNano = 31 * Second, TimeUnixNano = 40 * Second, Value = 7 },
            new MetricPoint { StartUnixNano = 31 * Second, TimeUnixNano = 44 * Second, Value = 27 })]);

        Assert.Equal("rate", chart.Plot);
        var points = Assert.Single(chart.Series).Points;
        Assert.Equal([null, 5.0, 0.0, null, 5.0], points.Select(p => p.Rate).ToArray());
        Assert.Equal([10_000.0, 20_000, 30_000, 40_000, 44_000], points.Select(p => p.T).ToArray());
        Assert.Equal(150.0, points[1].Value);
    }

    [Fact]
    public void A_delta_counter_is_charted_as_its_value_over_its_own_window()
    {
        var chart = MetricCharts.Of([Instrument(InstrumentKind.Sum, "Delta",
            new MetricPoint { StartUnixNano = 10 * Second, TimeUnixNano = 20 * Second, Value = 30 },
            new MetricPoint { StartUnixNano = 20 * Second, TimeUnixNano = 24 * Second, Value = 2 })]);

        Assert.Equal([3.0, 0.5], Assert.Single(chart.Series).Points.Select(p => p.Rate).ToArray());
    }

    [Fact]
    public void Percentiles_of_a_cumulative_histogram_count_only_what_was_recorded_since_the_previous_point()
    {
        double[] bounds = [1, 2, 4];
        var chart = MetricCharts.Of([Instrument(InstrumentKind.Histogram, "Cumulative",
            // Ten recordings in (1, 2].
            new MetricPoint { TimeUnixNano = 10 * Second, ExplicitBounds = bounds, BucketCounts = [0, 10, 0, 0], Count = 10 },
            // Ten more, all in (2, 4].
            new MetricPoint { TimeUnixNano = 20 * Second, ExplicitBounds = bounds, BucketCounts = [0, 10, 10, 0], Count = 20 },
            // Nothing new.
            new MetricPoint { TimeUnixNano = 30 * Second, ExplicitBounds = bounds, BucketCounts = [0, 10, 10, 0], Count = 20 })]);

        Assert.Equal("percentiles", chart.Plot);
        var points = Assert.Single(chart.Series).Points;
        // Interpolated linearly within the bucket that holds the rank.
        AssertPercentiles(points[0], count: 10, p50: 1.5, p90: 1.9, p99: 1.99);
        AssertPercentiles(points[1], count: 10, p50: 3.0, p90: 3.8, p99: 3.98);
        Assert.Equal(0, points[2].Count);
        Assert.Null(points[2].P50);
    }

    [Fact]
    public void The_last_bucket_of_a_histogram_ends_at_its_recorded_maximum()
    {
        var chart = MetricCharts.Of([Instrument(InstrumentKind.Histogram, "Delta",
            new MetricPoint { TimeUnixNano = 10 * Second, ExplicitBounds = [1, 2], BucketCounts = [5, 0, 5], Count = 10, Min = 0, Max = 12 })]);

        // Five in [0, 1], five in (2, 12]: the median is the first bucket's top, the 90th percentile within the overflow.
        AssertPercentiles(Assert.Single(Assert.Single(chart.Series).Points), count: 10, p50: 1.0, p90: 10.0, p99: 11.8);
    }

    private static void AssertPercentiles(ChartPoint point, double count, double p50, double p90, double p99)
    {
        Assert.Equal(count, point.Count);
        Assert.Equal(p50, point.P50!.Value, precision: 9);
        Assert.Equal(p90, point.P90!.Value, precision: 9);
        Assert.Equal(p99, point.P99!.Value, precision: 9);
    }

    private static InstrumentData Instrument(InstrumentKind kind, string temporality, params MetricPoint[] points) =>
        new("svc", "meter", "instrument", "", "s", kind, temporality, IsMonotonic: kind == InstrumentKind.Sum, [new SeriesData([], points)]);
}
