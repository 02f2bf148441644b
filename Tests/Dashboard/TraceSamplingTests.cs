using System.Diagnostics;
using AddressBook.Hosting.Dashboard.Telemetry;
using Microsoft.Extensions.Configuration;

namespace AddressBook.Tests.Dashboard;

/// <summary>The endpoints' head sampling: every trace while traffic is light, a fixed share of the rest under load.</summary>
public sealed class TraceSamplingTests
{
    [Fact]
    public void Within_a_second_the_reservoir_is_recorded_whole_and_then_only_the_ratio()
    {
        var clock = new ManualClock();
        var sampler = new TraceSampler(new TraceSamplingOptions { PerSecond = 20, Ratio = 0.1 }, clock);

        var first = Enumerable.Range(0, 20).Count(_ => sampler.ShouldRecordRoot(ActivityTraceId.CreateRandom()));
        var rest = Enumerable.Range(0, 20_000).Count(_ => sampler.ShouldRecordRoot(ActivityTraceId.CreateRandom()));

        Assert.Equal(20, first);
        // 10% of 20,000 is 2,000; a binomial spread of more than ±300 would be a one-in-millions draw.
        Assert.InRange(rest, 1_700, 2_300);
    }

    [Fact]
    public void The_next_second_fills_the_reservoir_again()
    {
        var clock = new ManualClock();
        var sampler = new TraceSampler(new TraceSamplingOptions { PerSecond = 5, Ratio = 0 }, clock);

        Assert.Equal(5, Enumerable.Range(0, 50).Count(_ => sampler.ShouldRecordRoot(ActivityTraceId.CreateRandom())));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(5, Enumerable.Range(0, 50).Count(_ => sampler.ShouldRecordRoot(ActivityTraceId.CreateRandom())));
    }

    [Fact]
    public void The_ratio_decision_depends_on_the_trace_id_alone()
    {
        var sampler = new TraceSampler(new TraceSamplingOptions { PerSecond = 0, Ratio = 0.5 }, new ManualClock());
        var ids = Enumerable.Range(0, 200).Select(_ => ActivityTraceId.CreateRandom()).ToList();

        var once = ids.Select(id => sampler.ShouldRecordRoot(id)).ToList();
        var again = ids.Select(id => sampler.ShouldRecordRoot(id)).ToList();

        Assert.Equal(once, again);
        Assert.Contains(true, once);
        Assert.Contains(false, once);
    }

    [Fact]
    public void Ratio_one_records_every_trace_and_ratio_zero_none_past_the_reservoir()
    {
        var all = new TraceSampler(new TraceSamplingOptions { PerSecond = 0, Ratio = 1 }, new ManualClock());
        var none = new TraceSampler(new TraceSamplingOptions { PerSecond = 0, Ratio = 0 }, new ManualClock());

        Assert.All(Enumerable.Range(0, 500), _ => Assert.True(all.ShouldRecordRoot(ActivityTraceId.CreateRandom())));
        Assert.All(Enumerable.Range(0, 500), _ => Assert.False(none.ShouldRecordRoot(ActivityTraceId.CreateRandom())));
    }

    [Theory]
    [InlineData(ActivityTraceFlags.Recorded, true)]
    [InlineData(ActivityTraceFlags.None, false)]
    public void A_clients_own_decision_is_kept(ActivityTraceFlags flags, bool recorded)
    {
        // Neither the reservoir nor the ratio would decide this way on their own.
        var sampler = new TraceSampler(new TraceSamplingOptions { PerSecond = recorded ? 0 : 1000, Ratio = recorded ? 0 : 1 }, new ManualClock());
        var parent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), flags, isRemote: true);

        Assert.Equal(recorded, sampler.ShouldRecord(parent, parent.TraceId));
    }

    [Theory]
    [InlineData("-1", "0.5")]
    [InlineData("10", "1.5")]
    [InlineData("10", "-0.1")]
    public void Impossible_settings_are_refused_with_their_name(string perSecond, string ratio)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Dashboard:TraceSampling:PerSecond"] = perSecond,
                ["Dashboard:TraceSampling:Ratio"] = ratio,
            })
            .Build();

        var error = Assert.Throws<AddressBook.Hosting.DistributedApplicationException>(() => TraceSamplingOptions.From(configuration));
        Assert.Contains("Dashboard:TraceSampling", error.Message, StringComparison.Ordinal);
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = 1_000 * TimeSpan.TicksPerSecond;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
