using AddressBook;
using AddressBook.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Telemetry, health checks and problem details every service of the app shares, after Aspire's service defaults
/// but built on the core OpenTelemetry packages alone.
/// </summary>
public static class Extensions
{
    private const string LiveTag = "live";

    /// <summary>
    /// Adds logging, OpenTelemetry, the default health checks and problem details. A service traces its own
    /// <see cref="System.Diagnostics.ActivitySource"/> with
    /// <c>builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(name))</c>.
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        if (AppHostStartGate.IsRequested)
        {
            // First, so that no other service's start runs before the app host lets this one start.
            builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, AppHostStartGate>());
        }

        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });

        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddProblemDetails();

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // With no collector to send to, recording spans, metrics and log records would only cost every request.
        // The exporter reads the endpoint, protocol and headers from the OTEL_EXPORTER_OTLP_* settings itself.
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return builder;
        }

        var openTelemetry = new HostServicesOpenTelemetryBuilder(builder.Services)
            // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, read by the detector added last, win over the application name.
            .ConfigureResource(resource => resource
                .AddService(builder.Environment.ApplicationName)
                .AddEnvironmentVariableDetector())
            .WithLogging(
                configureBuilder: null,
                configureOptions: logging =>
                {
                    logging.IncludeFormattedMessage = true;
                    logging.IncludeScopes = true;
                })
            .WithMetrics(metrics => metrics.AddMeter(
                "Microsoft.AspNetCore.Hosting",
                "Microsoft.AspNetCore.Server.Kestrel",
                "System.Net.Http",
                "System.Runtime",
                "Npgsql",
                "Microsoft.EntityFrameworkCore"))
            .WithTracing(tracing => tracing.AddSource(
                "Microsoft.AspNetCore",
                "System.Net.Http",
                "Npgsql"))
            .UseOtlpExporter();

        builder.Services.AddHostedService<TelemetryProvidersStarter>();
        builder.Services.AddTransient<IStartupFilter, HttpServerSpanStartupFilter>();

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);

        return builder;
    }

    /// <summary>
    /// Maps <see cref="HealthEndpointPaths.Health"/> and <see cref="HealthEndpointPaths.Alive"/> in every environment,
    /// because deployment probes need them too. Outside Development they answer only the overall status.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPaths.Health, HealthCheckOptionsFor(app.Environment, predicate: null));
        app.MapHealthChecks(
            HealthEndpointPaths.Alive,
            HealthCheckOptionsFor(app.Environment, registration => registration.Tags.Contains(LiveTag)));

        return app;
    }

    private static HealthCheckOptions HealthCheckOptionsFor(
        IHostEnvironment environment,
        Func<HealthCheckRegistration, bool>? predicate)
    {
        var options = new HealthCheckOptions { Predicate = predicate };

        // The default writer answers only "Healthy" or "Unhealthy": which dependency failed, and why, is for developers,
        // not for anyone who can reach the port.
        if (environment.IsDevelopment())
        {
            options.ResponseWriter = HealthReportJsonWriter.WriteAsync;
        }

        return options;
    }
}
