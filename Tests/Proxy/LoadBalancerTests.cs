using AddressBook.Hosting.Proxy;

namespace AddressBook.Tests.Proxy;

/// <summary>Which replica the endpoint sends a request to, as replicas come and warm up.</summary>
public sealed class LoadBalancerTests
{
    [Fact]
    public void A_replica_still_warming_up_takes_one_request_at_a_time_while_warm_ones_take_the_rest()
    {
        var (balancer, warm, fresh) = WarmAndFresh();
        StartRequests(warm, 5);

        Assert.Same(fresh, balancer.Pick());
        Assert.True(fresh.TryStartRequest());
        for (var i = 0; i < 10; i++)
        {
            var picked = balancer.Pick();
            Assert.Same(warm, picked);
            Assert.True(picked!.TryStartRequest());
        }
    }

    [Fact]
    public void A_warming_replica_takes_one_more_request_at_a_time_for_every_few_it_answers_until_it_is_warm()
    {
        var (balancer, warm, fresh) = WarmAndFresh();
        StartRequests(warm, 100);

        Answer(fresh, ProxyDestination.WarmUpRequestsPerSlot);
        Assert.Equal(2, fresh.WarmUpConcurrency);
        StartRequests(fresh, 1);
        Assert.Same(fresh, balancer.Pick());
        StartRequests(fresh, 1);
        Assert.Same(warm, balancer.Pick());

        Answer(fresh, ProxyDestination.WarmUpRequests);
        Assert.Null(fresh.WarmUpConcurrency);
        StartRequests(fresh, 50);
        Assert.Same(fresh, balancer.Pick());
    }

    [Fact]
    public void A_replicas_first_answer_is_signalled_when_its_first_request_ends_not_when_it_starts()
    {
        var replica = new ProxyDestination(new Uri("http://127.0.0.1:1"));
        Assert.True(replica.TryStartRequest());
        Assert.False(replica.FirstAnswer.IsCompleted);

        replica.RequestEnded();

        Assert.True(replica.FirstAnswer.IsCompletedSuccessfully);
    }

    [Fact]
    public void When_every_replica_is_warming_up_and_busy_the_least_busy_still_gets_the_request()
    {
        var balancer = new LoadBalancer();
        var first = Healthy("http://127.0.0.1:1/");
        var second = Healthy("http://127.0.0.1:2/");
        balancer.Add(first);
        balancer.Add(second);
        StartRequests(first, 3);
        StartRequests(second, 1);

        Assert.Same(second, balancer.Pick());
    }

    [Fact]
    public void A_warming_replica_is_passed_over_for_a_warm_one_but_not_for_an_unhealthy_one()
    {
        var (balancer, warm, fresh) = WarmAndFresh();
        StartRequests(fresh, 1);
        warm.Healthy = false;

        Assert.Same(fresh, balancer.Pick());
    }

    private static (LoadBalancer Balancer, ProxyDestination Warm, ProxyDestination Fresh) WarmAndFresh()
    {
        var balancer = new LoadBalancer();
        var warm = Healthy("http://127.0.0.1:1/");
        Answer(warm, ProxyDestination.WarmUpRequests);
        var fresh = Healthy("http://127.0.0.1:2/");
        balancer.Add(warm);
        balancer.Add(fresh);
        return (balancer, warm, fresh);
    }

    private static ProxyDestination Healthy(string address) => new(new Uri(address)) { Healthy = true };

    private static void StartRequests(ProxyDestination destination, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(destination.TryStartRequest());
        }
    }

    private static void Answer(ProxyDestination destination, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(destination.TryStartRequest());
            destination.RequestEnded();
        }
    }
}
