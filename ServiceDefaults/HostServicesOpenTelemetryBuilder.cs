using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;

namespace AddressBook.ServiceDefaults;

/// <summary>
/// Hands the host's service collection to the core SDK's <c>WithTracing</c>, <c>WithMetrics</c>, <c>WithLogging</c> and
/// <c>UseOtlpExporter</c>, which then register their providers in the host's container, configured from the host's
/// configuration. OpenTelemetry.Extensions.Hosting, whose <c>AddOpenTelemetry()</c> does this, is not available here.
/// </summary>
internal sealed class HostServicesOpenTelemetryBuilder(IServiceCollection services) : IOpenTelemetryBuilder
{
    public IServiceCollection Services { get; } = services;
}
