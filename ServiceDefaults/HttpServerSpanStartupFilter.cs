using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace AddressBook.ServiceDefaults;

/// <summary>
/// ASP.NET Core starts a server span for every request but, without OpenTelemetry's ASP.NET Core instrumentation
/// (not available here), gives it no HTTP attributes. As the outermost middleware this names and tags the span once the
/// response status is final, and drops the spans of health probes, which would otherwise drown the real traffic.
/// </summary>
internal sealed class HttpServerSpanStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(DescribeServerSpanAsync);
        next(app);
    };

    private static async Task DescribeServerSpanAsync(HttpContext context, RequestDelegate next)
    {
        var activity = context.Features.Get<IHttpActivityFeature>()?.Activity;
        if (activity is null || !activity.IsAllDataRequested)
        {
            await next(context);
            return;
        }

        if (IsHealthProbe(context.Request.Path))
        {
            // Exporters skip unrecorded spans, and the spans this request starts below inherit the decision.
            activity.IsAllDataRequested = false;
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            await next(context);
            return;
        }

        try
        {
            await next(context);
            Describe(activity, context, context.Response.StatusCode);
        }
        catch
        {
            // An exception that escapes the whole pipeline is answered with a 500 by the server.
            Describe(activity, context, StatusCodes.Status500InternalServerError);
            throw;
        }
    }

    private static bool IsHealthProbe(PathString path) =>
        path.Equals(HealthEndpointPaths.Health, StringComparison.OrdinalIgnoreCase)
        || path.Equals(HealthEndpointPaths.Alive, StringComparison.OrdinalIgnoreCase);

    private static void Describe(Activity activity, HttpContext context, int statusCode)
    {
        var request = context.Request;
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;

        activity.DisplayName = route is null ? request.Method : $"{request.Method} {route}";
        activity.SetTag("http.request.method", request.Method);
        activity.SetTag("url.scheme", request.Scheme);
        activity.SetTag("url.path", request.Path.Value);
        activity.SetTag("http.route", route);
        activity.SetTag("http.response.status_code", statusCode);

        if (statusCode >= StatusCodes.Status500InternalServerError)
        {
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }
}
