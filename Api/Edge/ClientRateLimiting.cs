using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace AddressBook.Api.Edge;

/// <summary>
/// A token bucket per client address, in each replica: <see cref="Burst"/> requests at once, refilled at
/// <see cref="PermitsPerSecond"/>. Health probes are never limited.
/// </summary>
public sealed class ClientRateLimitOptions
{
    public const string SectionName = "RateLimiting";

    public int PermitsPerSecond { get; set; } = 20;

    public int Burst { get; set; } = 100;
}

internal static class ClientRateLimiting
{
    public static void Configure(RateLimiterOptions options, ClientRateLimitOptions limits)
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, IPAddress>(context =>
            HealthProbes.Matches(context.Request)
                ? RateLimitPartition.GetNoLimiter(IPAddress.None)
                : RateLimitPartition.GetTokenBucketLimiter(ClientAddress(context), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.Burst,
                    TokensPerPeriod = limits.PermitsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
        options.OnRejected = async (rejection, _) =>
        {
            var retryAfter = rejection.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            var context = rejection.HttpContext;
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Detail = $"Too many requests from this client; retry in {seconds} s." },
            });
        };
    }

    // The forwarded-headers middleware has already put the client's address here when the request came through the proxy.
    private static IPAddress ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress switch
    {
        { IsIPv4MappedToIPv6: true } mapped => mapped.MapToIPv4(),
        { } address => address,
        null => IPAddress.None,
    };
}
