using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Threading.Channels;
using AddressBook.Hosting.Dashboard.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace AddressBook.Hosting.Dashboard.Api;

/// <summary>
/// The pages' live feed, as server-sent events: <c>resource</c> (a resource changed), <c>console</c> (a line, when the page
/// asked for a resource's console, or <c>*</c> for all), <c>telemetry</c> (new logs, spans or points arrived, at most four
/// times a second) and <c>usage</c> (CPU and memory, every two seconds).
/// </summary>
internal static class EventsApi
{
    private static readonly TimeSpan TelemetryThrottle = TimeSpan.FromMilliseconds(250);

    public static RouteGroupBuilder MapDashboardEvents(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("Live");
        group.MapGet("/events", Stream);
        return group;
    }

    private static ServerSentEventsResult<string> Stream(
        string? console, ResourceNotificationService notifications, ResourceLoggerService logs, TelemetryRepository telemetry,
        ProcessUsageSampler usage, ResourceViews views, IOptions<JsonOptions> json, HttpContext context)
    {
        var options = json.Value.SerializerOptions;
        var cancellation = context.RequestAborted;
        // Bounded: a page that stops reading loses the oldest events, never the app host's memory.
        var events = Channel.CreateBounded<SseItem<string>>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });
        void Send(string type, object data) => events.Writer.TryWrite(new SseItem<string>(JsonSerializer.Serialize(data, options), type));

        _ = Task.Run(async () =>
        {
            await foreach (var change in notifications.WatchAsync(cancellation).ConfigureAwait(false))
            {
                Send("resource", views.Of(change.Snapshot, usage.Current));
            }
        }, cancellation).ContinueWith(_ => { }, TaskScheduler.Default);

        if (!string.IsNullOrEmpty(console))
        {
            _ = Task.Run(async () =>
            {
                await foreach (var line in logs.WatchAsync(cancellation).ConfigureAwait(false))
                {
                    if (console == "*" || line.ResourceName == console)
                    {
                        Send("console", ConsoleLineView.Of(line));
                    }
                }
            }, cancellation).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        _ = Task.Run(async () =>
        {
            var seen = -1L;
            while (!cancellation.IsCancellationRequested)
            {
                var now = telemetry.Changed.Version;
                if (now != seen)
                {
                    seen = now;
                    Send("telemetry", telemetry.GetStats());
                    await Task.Delay(TelemetryThrottle, cancellation).ConfigureAwait(false);
                    continue;
                }

                await telemetry.Changed.WaitPastAsync(now, cancellation).ConfigureAwait(false);
            }
        }, cancellation).ContinueWith(_ => { }, TaskScheduler.Default);

        _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(ProcessUsageSampler.Interval);
            do
            {
                Send("usage", usage.Sample().ToDictionary(p => p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), p => p.Value));
            }
            while (await timer.WaitForNextTickAsync(cancellation).ConfigureAwait(false));
        }, cancellation).ContinueWith(_ => { }, TaskScheduler.Default);

        return TypedResults.ServerSentEvents(events.Reader.ReadAllAsync(cancellation));
    }
}
