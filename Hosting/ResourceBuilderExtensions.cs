using System.Security.Cryptography.X509Certificates;
using AddressBook.Hosting.ApplicationModel;

namespace AddressBook.Hosting;

/// <summary>Wiring between resources: references, waits, endpoints and environment.</summary>
public static class ResourceBuilderExtensions
{
    /// <summary>
    /// Gives the resource the connection string of another as <c>ConnectionStrings__{name}</c>,
    /// resolved when the resource starts.
    /// </summary>
    /// <param name="builder">The resource that connects.</param>
    /// <param name="source">The resource connected to.</param>
    /// <param name="connectionName">The connection string's name; defaults to the source's.</param>
    public static IResourceBuilder<TDestination> WithReference<TDestination>(
        this IResourceBuilder<TDestination> builder, IResourceBuilder<IResourceWithConnectionString> source, string? connectionName = null)
        where TDestination : IResourceWithEnvironment
    {
        var name = connectionName ?? source.Resource.ConnectionStringName;
        return builder
            .WithAnnotation(new ResourceRelationshipAnnotation(source.Resource, "Reference"))
            .WithEnvironment(async context =>
            {
                var connectionString = context.ExecutionContext.IsPublishMode
                    ? $"{{{source.Resource.Name}.connectionString}}"
                    : await source.Resource.GetConnectionStringAsync(context.CancellationToken).ConfigureAwait(false)
                        ?? throw new DistributedApplicationException($"'{source.Resource.Name}' has no connection string for '{builder.Resource.Name}'.");
                context.EnvironmentVariables[$"ConnectionStrings__{name}"] = connectionString;
            });
    }

    /// <summary>
    /// Lets the resource find another's endpoints through service discovery variables,
    /// <c>services__{name}__{endpoint}__0</c>.
    /// </summary>
    /// <param name="builder">The resource that calls.</param>
    /// <param name="source">The resource called.</param>
    public static IResourceBuilder<TDestination> WithReference<TDestination>(
        this IResourceBuilder<TDestination> builder, IResourceBuilder<IResourceWithServiceDiscovery> source)
        where TDestination : IResourceWithEnvironment
    {
        return builder
            .WithAnnotation(new ResourceRelationshipAnnotation(source.Resource, "Reference"))
            .WithEnvironment(context =>
            {
                foreach (var endpoint in source.Resource.Annotations.OfType<EndpointAnnotation>())
                {
                    if (context.ExecutionContext.IsPublishMode)
                    {
                        context.EnvironmentVariables[$"services__{source.Resource.Name}__{endpoint.Name}__0"] = $"{{{source.Resource.Name}.bindings.{endpoint.Name}.url}}";
                        continue;
                    }

                    var allocated = endpoint.AllocatedEndpoint
                        ?? throw new DistributedApplicationException($"'{source.Resource.Name}' has no '{endpoint.Name}' address for '{builder.Resource.Name}'.");
                    context.EnvironmentVariables[$"services__{source.Resource.Name}__{endpoint.Name}__0"] = allocated.Url;
                }

                return Task.CompletedTask;
            });
    }

    /// <summary>Holds the resource back until the dependency is running and healthy; if the dependency fails, so does this resource.</summary>
    /// <param name="builder">The resource that waits.</param>
    /// <param name="dependency">The resource waited for.</param>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency)
        where T : IResourceWithWaitSupport =>
        builder.WithAnnotation(new WaitAnnotation(dependency.Resource, WaitType.WaitUntilHealthy))
            .WithAnnotation(new ResourceRelationshipAnnotation(dependency.Resource, "WaitFor"));

    /// <summary>
    /// Holds the resource back until the dependency has run to completion with the expected exit code;
    /// any other outcome fails this resource, reporting the dependency's last output lines.
    /// </summary>
    /// <param name="builder">The resource that waits.</param>
    /// <param name="dependency">The resource that must complete, such as a migration worker.</param>
    /// <param name="exitCode">The exit code that counts as success.</param>
    public static IResourceBuilder<T> WaitForCompletion<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency, int exitCode = 0)
        where T : IResourceWithWaitSupport =>
        builder.WithAnnotation(new WaitAnnotation(dependency.Resource, WaitType.WaitForCompletion, exitCode))
            .WithAnnotation(new ResourceRelationshipAnnotation(dependency.Resource, "WaitFor"));

    /// <summary>
    /// Restarts the resource's processes when they exit on their own, with exponential backoff, as a process
    /// manager would. A process that is awaited with <c>WaitForCompletion</c>, or that exits with code 0 and
    /// serves no endpoint, has completed and is never restarted.
    /// </summary>
    /// <param name="builder">The resource.</param>
    /// <param name="maxRestarts">Crashes in a row after which the resource is left failed.</param>
    /// <param name="initialBackoff">The wait before the first restart; doubled after each crash. 250 ms by default.</param>
    /// <param name="maxBackoff">The longest wait between restarts; 15 seconds by default.</param>
    /// <param name="resetAfter">How long a process must run for its crash to start a new count; 30 seconds by default.</param>
    public static IResourceBuilder<T> WithRestartPolicy<T>(
        this IResourceBuilder<T> builder, int maxRestarts = 20, TimeSpan? initialBackoff = null, TimeSpan? maxBackoff = null, TimeSpan? resetAfter = null)
        where T : IResourceWithWaitSupport
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRestarts);
        builder.Resource.Annotations.RemoveAll(a => a is RestartPolicyAnnotation);
        return builder.WithAnnotation(new RestartPolicyAnnotation(
            maxRestarts, initialBackoff ?? TimeSpan.FromMilliseconds(250), maxBackoff ?? TimeSpan.FromSeconds(15), resetAfter ?? TimeSpan.FromSeconds(30)));
    }

    /// <summary>Adds an HTTP endpoint.</summary>
    /// <param name="builder">The resource.</param>
    /// <param name="port">The port clients use; a free port when null.</param>
    /// <param name="targetPort">The port the process listens on inside a deployment; at run time each replica gets a free loopback port behind <paramref name="port"/>.</param>
    /// <param name="name">The endpoint's name; <c>http</c> by default.</param>
    public static IResourceBuilder<T> WithHttpEndpoint<T>(this IResourceBuilder<T> builder, int? port = null, int? targetPort = null, string? name = null)
        where T : IResourceWithEndpoints =>
        builder.WithEndpoint(name ?? "http", "http", port, targetPort);

    /// <summary>
    /// Adds an HTTPS endpoint. The endpoint's proxy terminates TLS with the certificate given by
    /// <see cref="WithHttpsCertificate{T}"/> and relays requests to the replicas over loopback HTTP with
    /// <c>X-Forwarded-Proto: https</c>; the project learns the endpoint's port as <c>ASPNETCORE_HTTPS_PORT</c>, which is
    /// where ASP.NET Core's HTTPS redirection sends plain HTTP requests.
    /// </summary>
    /// <param name="builder">The resource.</param>
    /// <param name="port">The port clients use; a free port when null.</param>
    /// <param name="targetPort">The port the process listens on inside a deployment.</param>
    /// <param name="name">The endpoint's name; <c>https</c> by default.</param>
    public static IResourceBuilder<T> WithHttpsEndpoint<T>(this IResourceBuilder<T> builder, int? port = null, int? targetPort = null, string? name = null)
        where T : IResourceWithEndpoints =>
        builder.WithEndpoint(name ?? "https", "https", port, targetPort);

    private static IResourceBuilder<T> WithEndpoint<T>(this IResourceBuilder<T> builder, string name, string scheme, int? port, int? targetPort)
        where T : IResourceWithEndpoints
    {
        var existing = builder.Resource.Annotations.OfType<EndpointAnnotation>().FirstOrDefault(e => e.Name == name);
        if (existing is not null)
        {
            // Projects get an 'http' endpoint by default; naming it again configures that one.
            existing.Port = port;
            existing.TargetPort = targetPort;
            return builder;
        }

        return builder.WithAnnotation(new EndpointAnnotation(name, scheme, port, targetPort));
    }

    /// <summary>The certificate (with its private key) that the resource's HTTPS endpoints present.</summary>
    /// <param name="builder">The resource.</param>
    /// <param name="certificate">A server certificate with its private key.</param>
    public static IResourceBuilder<T> WithHttpsCertificate<T>(this IResourceBuilder<T> builder, X509Certificate2 certificate)
        where T : IResourceWithEndpoints
    {
        builder.Resource.Annotations.RemoveAll(a => a is HttpsCertificateAnnotation);
        return builder.WithAnnotation(new HttpsCertificateAnnotation { Certificate = certificate });
    }

    /// <summary>Makes every HTTP endpoint of the resource reachable from outside a deployment, not only by the other resources.</summary>
    /// <param name="builder">The resource.</param>
    public static IResourceBuilder<T> WithExternalHttpEndpoints<T>(this IResourceBuilder<T> builder) where T : IResourceWithEndpoints
    {
        foreach (var endpoint in builder.Resource.Annotations.OfType<EndpointAnnotation>().Where(e => e.UriScheme is "http" or "https"))
        {
            endpoint.IsExternal = true;
        }

        return builder;
    }

    /// <summary>
    /// Declares an HTTP probe that deployments run against the resource: Kubernetes probes, a Compose healthcheck.
    /// A later probe of the same type replaces an earlier one.
    /// </summary>
    /// <param name="builder">The resource.</param>
    /// <param name="type">What the probe decides: readiness for traffic, liveness, or startup.</param>
    /// <param name="path">The path requested; any 2xx answer passes.</param>
    /// <param name="endpointName">The endpoint requested; the first HTTP endpoint by default.</param>
    public static IResourceBuilder<T> WithHttpProbe<T>(this IResourceBuilder<T> builder, ProbeType type, string path, string? endpointName = null)
        where T : IResourceWithEndpoints
    {
        var endpoint = builder.Resource.Annotations.OfType<EndpointAnnotation>()
            .FirstOrDefault(e => endpointName is null ? e.UriScheme is "http" or "https" : e.Name == endpointName)
            ?? throw new DistributedApplicationException($"'{builder.Resource.Name}' has no {(endpointName is null ? "HTTP endpoint" : $"endpoint named '{endpointName}'")} to probe.");
        builder.Resource.Annotations.RemoveAll(a => a is ProbeAnnotation probe && probe.Type == type);
        return builder.WithAnnotation(new EndpointProbeAnnotation(type, path, endpoint.Name));
    }

    /// <summary>Sets an environment variable.</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string value) where T : IResourceWithEnvironment =>
        builder.WithEnvironment(context =>
        {
            context.EnvironmentVariables[name] = value;
            return Task.CompletedTask;
        });

    /// <summary>Sets an environment variable to a parameter's value; published outputs carry a reference to the parameter instead.</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, IResourceBuilder<ParameterResource> parameter)
        where T : IResourceWithEnvironment =>
        builder.WithEnvironment(context =>
        {
            context.EnvironmentVariables[name] = context.ExecutionContext.IsPublishMode ? parameter.Resource.ValueExpression : parameter.Resource.Value;
            return Task.CompletedTask;
        });

    /// <summary>Sets environment variables from a callback run at every start.</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, Func<EnvironmentCallbackContext, Task> callback)
        where T : IResourceWithEnvironment =>
        builder.WithAnnotation(new EnvironmentCallbackAnnotation(callback));

    /// <summary>
    /// Adds a parameter whose value comes from configuration, <c>Parameters:{name}</c>; the app host
    /// refuses to start when it is missing.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddParameter(this IDistributedApplicationBuilder builder, string name, bool secret = false) =>
        builder.AddResource(new ParameterResource(name, secret));

    /// <summary>
    /// Adds a parameter whose value comes from configuration, <c>Parameters:{name}</c>, or is generated.
    /// </summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="name">The parameter's name.</param>
    /// <param name="value">How to generate a value when configuration has none.</param>
    /// <param name="secret">Whether the value is masked wherever it is shown; true by default, since generated values are mostly keys and passwords.</param>
    /// <param name="persist">Whether a generated value is kept with the app host's state, so that every run gets the same one.</param>
    public static IResourceBuilder<ParameterResource> AddParameter(
        this IDistributedApplicationBuilder builder, string name, GenerateParameterDefault value, bool secret = true, bool persist = false) =>
        builder.AddResource(new ParameterResource(name, secret, value) { PersistGeneratedValue = persist });
}
